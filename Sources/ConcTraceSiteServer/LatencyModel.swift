/// How long the server waits before it answers a page request.
public enum LatencyModel: Sendable, Hashable, CustomStringConvertible {
    /// The largest latency accepted, in milliseconds (ten minutes).
    public static let maximumMilliseconds = 600_000

    /// Every response waits exactly this long.
    case fixed(milliseconds: Int)
    /// Each response waits a duration drawn uniformly from `low...high` milliseconds (at nanosecond resolution),
    /// seeded (see ``ResponsePlanner``).
    case range(lowMilliseconds: Int, highMilliseconds: Int)

    /// The bounds in nanoseconds, inclusive.
    var nanosecondBounds: ClosedRange<Int64> {
        switch self {
        case .fixed(let ms): Int64(ms) * 1_000_000...Int64(ms) * 1_000_000
        case .range(let low, let high): Int64(low) * 1_000_000...Int64(high) * 1_000_000
        }
    }

    /// `100 ms` or `50-300 ms`.
    public var description: String {
        switch self {
        case .fixed(let ms): "\(ms) ms"
        case .range(let low, let high): "\(low)-\(high) ms"
        }
    }

    /// Parses the CLI's text: `100` (fixed) or `50-300` (a range), whole milliseconds.
    ///
    /// - Throws: ``LatencyParseError`` naming what is wrong with `text`.
    public init(parsing text: String) throws(LatencyParseError) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { throw .malformed(text) }
        var values: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .malformed(text) }
            guard let value = Int(part), value <= Self.maximumMilliseconds else { throw .tooLong(text) }
            values.append(value)
        }
        if values.count == 1 {
            self = .fixed(milliseconds: values[0])
        } else {
            guard values[0] <= values[1] else { throw .reversedRange(text) }
            self = values[0] == values[1]
                ? .fixed(milliseconds: values[0])
                : .range(lowMilliseconds: values[0], highMilliseconds: values[1])
        }
    }
}

/// Why a latency text could not be parsed.
public enum LatencyParseError: Error, Equatable, CustomStringConvertible {
    /// Not `<ms>` or `<low>-<high>` with whole, non-negative milliseconds.
    case malformed(String)
    /// A range whose low end is above its high end, e.g. `300-50`.
    case reversedRange(String)
    /// A value above ``LatencyModel/maximumMilliseconds``.
    case tooLong(String)

    /// One line quoting the text and saying what is expected.
    public var description: String {
        switch self {
        case .malformed(let text):
            "latency must be whole milliseconds like 100 or a range like 50-300 (got '\(text)')"
        case .reversedRange(let text):
            "latency range must be low-high with low <= high (got '\(text)')"
        case .tooLong(let text):
            "latency must be at most \(LatencyModel.maximumMilliseconds) ms (got '\(text)')"
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
