import ArgumentParser
import ConcTraceLab
import ConcTraceSiteServer

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct View: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Serve a trace on this machine so Perfetto UI can open it, and print the link.",
            discussion: """
                Serves the one file over HTTP on 127.0.0.1 with the headers Perfetto UI needs to fetch it \
                (CORS for --origin, preflight answers, Content-Length, HEAD, byte ranges), and prints the \
                trace's URL, the link that opens it in Perfetto UI (<origin>/#!/?url=<trace URL>) and how to \
                open it in chrome://tracing instead. Any other path is 404. The default port is 9001 because \
                ui.perfetto.dev's Content-Security-Policy lets it fetch from http://127.0.0.1:9001 only; on \
                another port the link works only with a Perfetto UI of your own (--origin). Exits 0 once the \
                whole trace has been downloaded once (unless --keep), 130 or 143 on SIGINT or SIGTERM. A \
                missing or unreadable file exits 66, a file that is not a JSON trace 65, a port in use 69.
                """
        )

        @Argument(help: "The trace to serve (a Chrome trace JSON file, as `conctrace run` writes).")
        var trace: String

        @Option(help: "Port to listen on; 0 picks a free one (ui.perfetto.dev fetches from 9001 only).")
        var port = TraceFileServer.perfettoPort

        @Option(help: "Address to listen on (loopback unless told otherwise).")
        var host = "127.0.0.1"

        @Option(help: "The Perfetto UI to link to and to allow in CORS: scheme://host[:port], no path.")
        var origin = TraceFileServer.perfettoOrigin

        @Flag(help: "Keep serving after the first complete download, until Ctrl-C.")
        var keep = false

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535 (got \(port))") }
            let afterScheme = origin.hasPrefix("https://") ? origin.dropFirst(8)
                : origin.hasPrefix("http://") ? origin.dropFirst(7) : nil
            guard let afterScheme, !afterScheme.isEmpty, !afterScheme.contains("/") else {
                throw ValidationError("--origin must be http(s)://host[:port] with no path (got '\(origin)')")
            }
        }

        func run() throws {
            // First, before any thread exists.
            let session = ServingSession<ServedDownload>()
            let keep = self.keep
            let server: TraceFileServer
            do {
                let configuration = TraceFileServer.Configuration(
                    path: trace, host: host, port: port, allowedOrigin: origin)
                server = try TraceFileServer.start(configuration) { if !keep { session.deliver($0) } }
            } catch {
                if case .cannotListen(.addressInUse(let host, TraceFileServer.perfettoPort)) = error {
                    printError("cannot listen on \(host):\(TraceFileServer.perfettoPort): address already in use " +
                               "(by trace_processor --httpd, or another conctrace view?); stop it, or give --port 0 " +
                               "and --origin for a Perfetto UI of your own")
                } else {
                    printError(error.description)
                }
                throw Self.status(for: error).exitCode
            }
            printLine("serving \(trace) (\(Self.size(of: server))) at \(server.traceURL)")
            printLine("open in Perfetto UI: \(server.perfettoLink)")
            printLine("or in chrome://tracing: press Load and pick \(Self.absolute(trace))")
            if server.port != TraceFileServer.perfettoPort && origin == TraceFileServer.perfettoOrigin {
                printNote("note: ui.perfetto.dev fetches only from port \(TraceFileServer.perfettoPort) " +
                          "(its Content-Security-Policy); use --port \(TraceFileServer.perfettoPort), " +
                          "or --origin for a Perfetto UI of your own")
            }
            if !keep {
                printLine("serving until one complete download (--keep to keep serving); Ctrl-C stops")
            }
            let ending = session.wait()
            server.shutdown()
            switch ending {
            case .outcome(let download):
                let client = download.peer.map { " to \($0)" } ?? ""
                printLine("served \(server.fileName) completely (\(download.bytes) bytes)\(client); exiting")
            case .signal(let signal):
                let stats = server.stats()
                printNote("stopped; served \(stats.completeDownloads) complete download(s), " +
                          "\(stats.requests) request(s)")
                throw ExitStatus.forSignal(signal).exitCode
            }
        }

        private static func status(for error: TraceFileServerError) -> ExitStatus {
            switch error {
            case .cannotOpen, .notAFile: .noInput
            case .notATrace: .dataError
            case .cannotListen: .cannotListen
            }
        }

        /// `1.2 MB`, `48.0 kB` or `512 bytes`, of the file as it is now.
        private static func size(of server: TraceFileServer) -> String {
            var info = stat()
            guard stat(server.configuration.path, &info) == 0 else { return "size unknown" }
            let bytes = Double(info.st_size)
            if bytes >= 1_000_000 { return "\((bytes / 100_000).rounded() / 10) MB" }
            if bytes >= 1_000 { return "\((bytes / 100).rounded() / 10) kB" }
            return "\(info.st_size) bytes"
        }

        /// `path` made absolute against the working directory, as a file dialog wants it.
        private static func absolute(_ path: String) -> String {
            guard !path.hasPrefix("/"), let cwd = getcwd(nil, 0) else { return path }
            defer { free(cwd) }
            return String(cString: cwd) + "/" + path
        }
    }
}
