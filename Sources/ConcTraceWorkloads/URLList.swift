#if canImport(Glibc)
import Glibc
#endif
import CCurl
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// A list of URLs for the download workload, read from text: one URL per line; blank lines and lines starting
/// with `#` are skipped, surrounding whitespace is ignored. Each URL must be one libcurl accepts (its URL parser,
/// with a scheme it supports).
public enum URLList {
    /// The URLs in `text`.
    /// - Throws: ``URLListError/malformed(line:text:reason:)`` for the first line that is not a URL,
    ///   ``URLListError/empty`` when there is none.
    public static func parse(_ text: String) throws(URLListError) -> [String] {
        precondition(CurlLibrary.isReady, "curl_global_init failed")
        var urls: [String] = []
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let url = String(line)
            // A fresh parser per line: one that holds a URL takes the next as relative to it.
            let parser = curl_url()
            defer { curl_url_cleanup(parser) }
            let code = url.withCString { curl_url_set(parser, CURLUPART_URL, $0, 0) }
            guard code == CURLUE_OK else {
                throw .malformed(line: number + 1, text: url, reason: String(cString: curl_url_strerror(code)))
            }
            urls.append(url)
        }
        guard !urls.isEmpty else { throw .empty }
        return urls
    }

    /// The URLs in the file at `path`.
    /// - Throws: ``URLListError/cannotOpen(path:_:)`` when it cannot be read, or what ``parse(_:)`` throws.
    public static func load(path: String) throws(URLListError) -> [String] {
        let bytes: [UInt8]
        do {
            bytes = try FileDescriptor.readFile(path)
        } catch {
            throw .cannotOpen(path: path, error)
        }
        return try parse(String(decoding: bytes, as: UTF8.self))
    }
}

/// Why a URL list could not be used.
public enum URLListError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotOpen(path: String, OSError)
    /// Line `line` (1-based) is not a URL libcurl accepts; `reason` is curl's.
    case malformed(line: Int, text: String, reason: String)
    /// No line holds a URL.
    case empty

    public var description: String {
        switch self {
        case .cannotOpen(let path, let error): "cannot read \(path): \(error)"
        case .malformed(let line, let text, let reason):
            "line \(line): '\(text)' is not a URL curl accepts (\(reason)); write one URL per line, like http://host/path"
        case .empty: "no URLs in it; write one URL per line (blank lines and # comments are skipped)"
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
