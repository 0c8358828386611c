import ConcTraceSiteServer
import ConcTraceWorkloads

/// A download's pages, ready to fetch: the URLs, where they come from, and the embedded server serving them (if
/// the run started one; shut it down when the run ends).
public struct OpenPages: Sendable {
    /// Task k fetches `urls[k % urls.count]`.
    public var urls: [String]
    /// Where they come from, for the trace's metadata (e.g. `embedded server http://127.0.0.1:41234 (latency 100 ms)`).
    public var description: String
    /// The embedded server started for the run, if any.
    public var server: SiteServer?

    /// Opens `pages` for a download of `count` pages: reads the URL file, or starts the embedded server.
    /// - Throws: `LabError`: a URL file that cannot be read (`noInput`) or is malformed (`dataError`); a server that
    ///   cannot listen (`cannotListen`).
    public static func open(_ pages: WorkloadSpec.Pages, count: Int) throws(LabError) -> OpenPages {
        switch pages {
        case .urls(let path):
            do {
                return OpenPages(urls: try URLList.load(path: path), description: "urls \(path)", server: nil)
            } catch .cannotOpen(let path, let error) {
                throw LabError(.noInput, "cannot read --urls \(path): \(error)")
            } catch {
                throw LabError(.dataError, "--urls \(path): \(error)")
            }
        case .server(let base):
            return OpenPages(urls: (0..<count).map { pageURL(base, $0) }, description: "server \(base)", server: nil)
        case .embedded(let latency, let errorRate, let resetRate, let stallRate):
            let configuration = SiteConfiguration(
                pages: count, latency: latency, errorRate: errorRate, resetRate: resetRate, stallRate: stallRate)
            let site: SiteServer
            do {
                site = try SiteServer.start(configuration)
            } catch {
                throw LabError(.cannotListen, "cannot start the embedded site server: \(error)")
            }
            var settings = "latency \(configuration.latency)"
            for (name, rate) in [("error rate", errorRate), ("reset rate", resetRate), ("stall rate", stallRate)]
            where rate > 0 {
                settings += ", \(name) \(rate)"
            }
            return OpenPages(urls: (0..<count).map { pageURL(site.baseURL, $0) },
                             description: "embedded server \(site.baseURL) (\(settings))", server: site)
        }
    }

    /// Page `page` of the site server at `base`.
    public static func pageURL(_ base: String, _ page: Int) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/page/\(page)"
    }

    /// Where a worker process or child run fetches these pages from: the URL file, or the server's base URL (a
    /// worker never starts a server of its own).
    func sharedSource(of pages: WorkloadSpec.Pages) -> WorkloadSpec.Pages {
        if case .urls = pages { return pages }
        if let server { return .server(server.baseURL) }
        return pages
    }
}
