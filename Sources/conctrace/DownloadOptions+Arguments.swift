import ConcTraceSiteServer

extension DownloadOptions {
    /// The options given, as `conctrace run` arguments (for the child runs of `sweep`, `demo` and `advise`).
    var arguments: [String] {
        var arguments: [String] = []
        if let urls { arguments += ["--urls", urls] }
        if let server { arguments += ["--server", server] }
        if let latency { arguments += ["--latency-ms", latency.argumentText] }
        if let errorRate { arguments += ["--error-rate", String(errorRate)] }
        if let resetRate { arguments += ["--reset-rate", String(resetRate)] }
        if let stallRate { arguments += ["--stall-rate", String(stallRate)] }
        if let timeout { arguments += ["--timeout-ms", String(timeout)] }
        return arguments
    }
}

extension LatencyModel {
    /// The text `--latency-ms` parses back to this model: `100` or `50-300`.
    var argumentText: String {
        switch self {
        case .fixed(let ms): String(ms)
        case .range(let low, let high): "\(low)-\(high)"
        }
    }
}
