import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("conctrace view: serves one trace for Perfetto UI", .serialized, .timeLimit(.minutes(2)))
struct ViewCLITests {
    @Test("prints the trace URL, the Perfetto link and chrome://tracing; serves the file once and exits 0")
    func servesOnceAndExits() throws {
        let folder = try CLIRunner.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = try Self.writeTrace(in: folder)
        let started = try CLIRunner.start(["view", trace.path, "--port", "0"])
        let lines = Self.readLines(3, from: started.1)
        let url = try #require(lines.first?.split(separator: " ").last.map(String.init))
        #expect(lines[0].hasPrefix("serving \(trace.path) ("))
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/trace.json"))
        let encoded = url.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F")
        #expect(lines[1] == "open in Perfetto UI: https://ui.perfetto.dev/#!/?url=\(encoded)")
        #expect(lines[2].contains("chrome://tracing") && lines[2].contains("Load") && lines[2].contains(trace.path))
        let port = try #require(Int(url.split(separator: ":")[2].split(separator: "/")[0]))

        // What is not the trace is 404 and does not end the command; the trace itself does.
        #expect(try RawHTTP.get(port: port, path: "/../etc/passwd").status == 404)
        #expect(try RawHTTP.get(port: port, path: "/%2e%2e/%2e%2e/etc/passwd").status == 404)
        let fetched = try RawHTTP.get(port: port, path: "/trace.json")
        #expect(fetched.status == 200)
        #expect(fetched.body == Array(try Data(contentsOf: trace)))
        let output = CLIRunner.finish(started)
        #expect(output.status == 0)
        #expect(output.stdout.contains("served trace.json completely (\(fetched.body.count) bytes)"))
        #expect(output.stdout.contains("exiting"))
    }

    @Test("a missing file exits 66, a file that is not a trace 65, each with one line")
    func badFiles() throws {
        let folder = try CLIRunner.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try CLIRunner.run(["view", folder.appendingPathComponent("nope.json").path, "--port", "0"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("No such file") && missing.stderr.split(separator: "\n").count == 1)
        #expect(missing.stdout.isEmpty)

        let folderItself = try CLIRunner.run(["view", folder.path, "--port", "0"])
        #expect(folderItself.status == 66)

        let page = folder.appendingPathComponent("page.html")
        try Data("<!DOCTYPE html>".utf8).write(to: page)
        let notTrace = try CLIRunner.run(["view", page.path, "--port", "0"])
        #expect(notTrace.status == 65)
        #expect(notTrace.stderr.contains("does not look like a JSON trace"))
        #expect(notTrace.stderr.split(separator: "\n").count == 1)
    }

    @Test("a port in use exits 69 with one line; Ctrl-C exits 130 and SIGTERM 143, each with a note",
          arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func portInUseAndSignals(signal: Int32, expected: Int32) throws {
        let folder = try CLIRunner.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = try Self.writeTrace(in: folder)
        let started = try CLIRunner.start(["view", trace.path, "--port", "0", "--keep"])
        let lines = Self.readLines(1, from: started.1)
        let url = try #require(lines.first?.split(separator: " ").last)
        let port = try #require(Int(url.split(separator: ":")[2].split(separator: "/")[0]))

        let busy = try CLIRunner.run(["view", trace.path, "--port", String(port)])
        #expect(busy.status == 69)
        #expect(busy.stderr.contains("address already in use") && busy.stderr.split(separator: "\n").count == 1)

        // --keep: a complete download does not end it.
        #expect(try RawHTTP.get(port: port, path: "/trace.json").status == 200)
        kill(started.0.processIdentifier, signal)
        let output = CLIRunner.finish(started)
        #expect(!output.signaled)
        #expect(output.status == expected)
        // Two lines: the note that ui.perfetto.dev wants port 9001, and the one on stopping.
        let notes = output.stderr.split(separator: "\n")
        #expect(notes.count == 2)
        #expect(notes.last?.hasPrefix("conctrace: stopped; served 1 complete download") == true)
    }

    @Test("--help explains the port Perfetto UI needs and the exit codes")
    func help() throws {
        let help = try CLIRunner.run(["view", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("9001") && help.stdout.contains("--keep") && help.stdout.contains("--origin"))
    }

    /// A small trace as `conctrace run` writes them (the Array form, one event per line).
    private static func writeTrace(in folder: URL) throws -> URL {
        let file = folder.appendingPathComponent("trace.json")
        var text = "[\n"
        for index in 0..<2_000 {
            text += #"{"name":"task \#(index)","ph":"X","ts":\#(index * 10),"dur":5,"pid":1,"tid":1},"# + "\n"
        }
        text += #"{"name":"end","ph":"i","ts":0,"pid":1,"tid":1,"s":"t"}]"# + "\n"
        try Data(text.utf8).write(to: file)
        return file
    }

    /// The first `count` lines of standard output, read as soon as they are there (the process keeps running).
    private static func readLines(_ count: Int, from pipe: Pipe) -> [String] {
        var data = Data()
        while data.filter({ $0 == UInt8(ascii: "\n") }).count < count {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            data.append(byte)
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// A bare HTTP/1.1 GET over a socket: the path goes out exactly as given (no client tidies `..` away).
enum RawHTTP {
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    struct Failure: Error {
        var call: String
        var errno: Int32
    }

    static func get(port: Int, path: String) throws -> Response {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(call: "socket", errno: errno) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(call: "connect", errno: errno) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard write(socket, request, request.count) == request.count else { throw Failure(call: "write", errno: errno) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(socket, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let end = received.indices.first(where: { received[$0...].starts(with: separator) }) else {
            return Response(status: 0, body: [])
        }
        let statusLine = String(decoding: received[..<end], as: UTF8.self).split(separator: " ")
        return Response(status: statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0,
                        body: Array(received[(end + 4)...]))
    }
}
