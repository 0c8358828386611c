import ConcTraceFormat
import ConcTraceReader

extension TraceAnalyzer {
    /// Streams the trace at `path` through json-c and analyzes it.
    /// - Throws: `TraceAnalysisError.unreadable` when the file cannot be opened or read, is empty or malformed;
    ///   `.noEvents` when it holds no event. A file cut short is analyzed up to the cut.
    public static func analyze(path: String) throws(TraceAnalysisError) -> TraceAnalysis {
        let reader: ChromeTraceReader
        do {
            reader = try ChromeTraceReader(path: path)
        } catch {
            throw .unreadable(path: path, error)
        }
        return try analyze(reader, path: path)
    }

    /// Analyzes a trace held in memory (tests, small inputs), as `analyze(path:)` does a file.
    public static func analyze(bytes: [UInt8], path: String = "<memory>") throws(TraceAnalysisError) -> TraceAnalysis {
        let reader: ChromeTraceReader
        do {
            reader = try ChromeTraceReader(bytes: bytes)
        } catch {
            throw .unreadable(path: path, error)
        }
        return try analyze(reader, path: path)
    }

    private static func analyze(_ reader: ChromeTraceReader, path: String) throws(TraceAnalysisError)
        -> TraceAnalysis
    {
        var analyzer = TraceAnalyzer()
        do {
            while let event = try reader.next() { analyzer.consume(event) }
        } catch {
            throw .unreadable(path: path, error)
        }
        guard analyzer.events > 0 else { throw .noEvents(path: path) }
        return analyzer.finish(path: path, isTruncated: reader.isTruncated, bytes: reader.bytesRead)
    }
}
