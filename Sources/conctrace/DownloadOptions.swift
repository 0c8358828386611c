import ArgumentParser
import ConcTraceLab
import ConcTraceSiteServer
import ConcTraceWorkloads

/// The download workload's options: where its pages come from and how long a transfer may take.
struct DownloadOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A file of URLs, one per line (blank lines and # comments skipped); task k fetches line k, cycling " +
            "when --tasks is larger. Any URL libcurl handles. (default: pages of an embedded server)",
        valueName: "file"))
    var urls: String?

    @Option(help: ArgumentHelp(
        "A running site server's base URL (e.g. from 'conctrace serve'); task k fetches <url>/page/k.",
        valueName: "url"))
    var server: String?

    @Option(
        name: .customLong("latency-ms"),
        help: ArgumentHelp(
            "Embedded server: delay before each page, in ms: fixed (100) or uniform over a range (50-300), " +
                "seeded. (default: 100)",
            valueName: "ms|low-high"),
        transform: { text in
            do { return try LatencyModel(parsing: text) } catch { throw ValidationError("\(error)") }
        }
    )
    var latency: LatencyModel?

    @Option(help: "Embedded server: probability (0-1) that a page request is answered with HTTP 500.")
    var errorRate: Double?

    @Option(help: "Embedded server: probability (0-1) that a page request's connection is reset.")
    var resetRate: Double?

    @Option(help: "Embedded server: probability (0-1) that a page request is never answered.")
    var stallRate: Double?

    @Option(
        name: .customLong("timeout-ms"),
        help: "Each transfer's limit in ms, connecting included: a stalled server fails the task. (default: 10000)")
    var timeout: Int?

    /// Cross-field checks, given the run's workload.
    func validate(for workload: WorkloadKind) throws {
        let embeddedOnly = [("--latency-ms", latency != nil), ("--error-rate", errorRate != nil),
                            ("--reset-rate", resetRate != nil), ("--stall-rate", stallRate != nil)]
        let given = [("--urls", urls != nil), ("--server", server != nil), ("--timeout-ms", timeout != nil)]
            + embeddedOnly
        if workload != .download, let option = given.first(where: \.1) {
            throw ValidationError("\(option.0) is for --workload download")
        }
        if urls != nil, server != nil { throw ValidationError("--urls and --server contradict each other") }
        if urls != nil || server != nil, let option = embeddedOnly.first(where: \.1) {
            throw ValidationError("\(option.0) configures the embedded server; it does not apply with " +
                                  (urls != nil ? "--urls" : "--server"))
        }
        let rates = [("--error-rate", errorRate ?? 0), ("--reset-rate", resetRate ?? 0), ("--stall-rate", stallRate ?? 0)]
        for (name, rate) in rates where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be between 0 and 1 (got \(rate))")
        }
        let sum = rates.reduce(0) { $0 + $1.1 }
        if sum > 1 {
            throw ValidationError("--error-rate, --reset-rate and --stall-rate must add up to at most 1 (got \(sum))")
        }
        if let timeout, !(1...3_600_000).contains(timeout) {
            throw ValidationError("--timeout-ms must be 1...3600000 (got \(timeout))")
        }
        if let server {
            do {
                _ = try URLList.parse(OpenPages.pageURL(server, 0))
            } catch {
                throw ValidationError("--server must be a base URL like http://127.0.0.1:8080 (got '\(server)')")
            }
        }
    }

    /// `spec` with the pages and limit these options give (for a download; other workloads are left as they are).
    func apply(to spec: WorkloadSpec) -> WorkloadSpec {
        guard spec.kind == .download else { return spec }
        var spec = spec
        if let urls {
            spec.pages = .urls(path: urls)
        } else if let server {
            spec.pages = .server(server)
        } else {
            spec.pages = .embedded(latency: latency ?? .fixed(milliseconds: 100), errorRate: errorRate ?? 0,
                                   resetRate: resetRate ?? 0, stallRate: stallRate ?? 0)
        }
        spec.timeoutMilliseconds = timeout ?? 10_000
        return spec
    }
}
