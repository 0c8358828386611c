/// Where a request's path leads.
enum Route: Equatable {
    /// `/page/<k>` with `k` below the configured page count.
    case page(Int)
    /// `/stats`: the counters as JSON.
    case stats
    /// Anything else, including `/page/<k>` past the last page.
    case notFound

    /// Routes `uri` (a query string is ignored) for a site with `pages` pages. Page numbers are plain decimal
    /// digits: `/page/+1` or `/page/1x` are not pages.
    init(uri: String, pages: Int) {
        let path = uri.utf8.split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)
            .first.map { Substring($0) } ?? ""
        if path == "/stats" {
            self = .stats
            return
        }
        let prefix = "/page/"
        guard path.hasPrefix(prefix) else {
            self = .notFound
            return
        }
        let digits = path.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.utf8.count <= 18,
              digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let page = Int(digits), page < pages
        else {
            self = .notFound
            return
        }
        self = .page(page)
    }
}
