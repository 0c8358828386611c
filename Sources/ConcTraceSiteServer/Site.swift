import NIOCore

/// What every connection's handler shares: the configuration, the planner, the bodies (built once) and the counters.
final class Site: Sendable {
    let configuration: SiteConfiguration
    let planner: ResponsePlanner
    let counters = SiteCounters()
    /// `pageBodies[k % 15]` is page k's body: slices of one buffer (see ``PageBodies``).
    let pageBodies: [ByteBuffer]
    let serverErrorBody: ByteBuffer
    let notFoundBody: ByteBuffer
    let methodNotAllowedBody: ByteBuffer

    init(_ configuration: SiteConfiguration) {
        self.configuration = configuration
        planner = ResponsePlanner(configuration)
        pageBodies = PageBodies.shared.bodies
        serverErrorBody = ByteBuffer(string: "500 internal server error (injected by --error-rate)\n")
        notFoundBody = ByteBuffer(string: "404 not found: pages are /page/0 to /page/\(configuration.pages - 1)\n")
        methodNotAllowedBody = ByteBuffer(string: "405 method not allowed: only GET is served\n")
    }
}
