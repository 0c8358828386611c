#if canImport(Glibc)
import Glibc
#endif
import CJSONC
import ConcTraceFormat
import ConcTraceSystem
import ConcTraceReader

extension SweepResults {
    /// Sweep files are small (a line per run); a larger file is refused rather than read into memory.
    public static let maxFileBytes = 64 << 20

    /// Reads a sweep results file written by `jsonText()` (docs/sweep-format.md), with json-c.
    ///
    /// Keys the format does not define are ignored, so files from newer versions still load; a figure may be
    /// `null` or missing. `summaries` and `verdicts` are not read: they follow from the runs, and are made again
    /// from them (a file written before repetitions, without `round`, reads as one run per strategy and size).
    /// - Throws: `SweepReadError.cannotOpen` when the file cannot be opened or read (exit 66); `.malformed` when it
    ///   is not JSON, `.notASweep` when it is JSON but not a sweep file (both exit 65).
    public static func load(path: String) throws(SweepReadError) -> SweepResults {
        let bytes = try readFile(path)
        guard let tokener = json_tokener_new() else { fatalError("json-c: out of memory") }
        defer { json_tokener_free(tokener) }
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                json_tokener_parse_ex(tokener, text.baseAddress, Int32(text.count))
            }
        }
        defer { json_object_put(parsed) }
        let end = json_tokener_get_parse_end(tokener)
        let status = json_tokener_get_error(tokener)
        guard let root = parsed, status == json_tokener_success else {
            let reason = status == json_tokener_continue || status == json_tokener_success
                ? (bytes.allSatisfy(Self.isSpace) ? "the file is empty" : "the file ends inside the JSON value")
                : String(cString: json_tokener_error_desc(status))
            throw .malformed(path: path, offset: end, reason: reason)
        }
        if let extra = bytes[end...].firstIndex(where: { !Self.isSpace($0) }) {
            throw .malformed(path: path, offset: extra, reason: "text after the end of the JSON object")
        }
        return try SweepDecoder(path: path).results(root)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The whole file (or pipe: `InputFile`), read once with read(2).
    private static func readFile(_ path: String) throws(SweepReadError) -> [UInt8] {
        let fd: Int32
        do {
            fd = try InputFile.open(path)
        } catch .system(let error) {
            throw .cannotOpen(path: path, call: error.call, errno: error.errno)
        } catch {
            throw .notReadable(path: path, error)
        }
        let input = FileDescriptor(rawValue: fd)
        defer { try? input.close() }
        do {
            return try input.readAll(limit: maxFileBytes)
        } catch where error.errno == EFBIG {
            throw .notASweep(path: path, reason: "larger than \(maxFileBytes >> 20) MB")
        } catch {
            throw .cannotOpen(path: path, call: error.call, errno: error.errno)
        }
    }
}

/// Turns a parsed json-c document into `SweepResults`, naming the key (and run) of the first thing that is wrong.
private struct SweepDecoder {
    let path: String

    func results(_ root: OpaquePointer) throws(SweepReadError) -> SweepResults {
        guard json_object_get_type(root) == json_type_object else {
            throw fail("the top-level value is not an object")
        }
        guard try string(root, "tool", in: "") == "conctrace", try string(root, "kind", in: "") == "sweep" else {
            throw fail("\"tool\" must be \"conctrace\" and \"kind\" \"sweep\"")
        }
        var parameters: [(key: String, value: TraceValue)] = []
        if let object = JSONC.member(root, "parameters") {
            guard json_object_get_type(object) == json_type_object else { throw fail("\"parameters\" is not an object") }
            var iterator = json_object_iter_begin(object)
            var end = json_object_iter_end(object)
            // json-c iterates an object's members in the order they were in the file.
            while json_object_iter_equal(&iterator, &end) == 0 {
                if let name = json_object_iter_peek_name(&iterator) {
                    parameters.append((String(cString: name), TraceValue(json_object_iter_peek_value(&iterator))))
                }
                json_object_iter_next(&iterator)
            }
        }
        guard let runList = JSONC.member(root, "runs"), json_object_get_type(runList) == json_type_array else {
            throw fail("\"runs\" is missing or not an array")
        }
        var runs: [SweepResults.Run] = []
        for index in 0..<json_object_array_length(runList) {
            guard let object = json_object_array_get_idx(runList, index),
                  json_object_get_type(object) == json_type_object else {
                throw fail("runs[\(index)] is not an object")
            }
            runs.append(try run(object, in: "runs[\(index)]."))
        }
        guard let cores = Int(exactly: try integer(root, "cores", in: "")) else { throw fail("\"cores\" is out of range") }
        return SweepResults(
            workload: try string(root, "workload", in: ""), parameters: parameters,
            host: try string(root, "host", in: ""), cores: cores,
            createdUnixSeconds: try integer(root, "created_unix_s", in: ""),
            version: try string(root, "version", in: ""), repetition: try repetition(root), runs: runs,
            stops: try stops(root))
    }

    /// The `repetition` object; nil when missing or `null` (files written before repetitions).
    private func repetition(_ root: OpaquePointer) throws(SweepReadError) -> RepetitionPolicy? {
        guard let object = JSONC.member(root, "repetition"), json_object_get_type(object) != json_type_null else {
            return nil
        }
        guard json_object_get_type(object) == json_type_object else { throw fail("\"repetition\" is not an object") }
        let place = "repetition."
        let warmUp = try count(object, "warm_up_runs", in: place, minimum: 0)
        switch try string(object, "mode", in: place) {
        case "fixed":
            return RepetitionPolicy(count: .fixed(try count(object, "runs", in: place, minimum: 1)), warmUpRuns: warmUp)
        case "adaptive":
            let minimum = try count(object, "min_runs", in: place, minimum: 1)
            let maximum = try count(object, "max_runs", in: place, minimum: minimum)
            guard let tolerance = try number(object, "tolerance", in: place), tolerance > 0,
                  let budget = try number(object, "budget_s", in: place), budget >= 0 else {
                throw fail("\(place)tolerance must be above 0 and budget_s at least 0")
            }
            return RepetitionPolicy(count: .adaptive(minimum: minimum, maximum: maximum, tolerance: tolerance,
                                                     budgetSeconds: budget), warmUpRuns: warmUp)
        case let mode:
            throw fail("\(place)mode is \"\(mode)\"; expected fixed or adaptive")
        }
    }

    /// Why the runs stopped at each size, from `verdicts` (each entry's `tasks`, `stopped` and `stopped_text`);
    /// the rest of a verdict is made again from the runs.
    private func stops(_ root: OpaquePointer) throws(SweepReadError) -> [SweepResults.Stop] {
        guard let list = JSONC.member(root, "verdicts"), json_object_get_type(list) == json_type_array else { return [] }
        var stops: [SweepResults.Stop] = []
        for index in 0..<json_object_array_length(list) {
            let place = "verdicts[\(index)]."
            guard let object = json_object_array_get_idx(list, index), json_object_get_type(object) == json_type_object
            else { throw fail("\(place.dropLast()) is not an object") }
            guard let code = try optionalString(object, "stopped", in: place) else { continue }
            guard let tasks = Int(exactly: try integer(object, "tasks", in: place)) else {
                throw fail("\(place)tasks is out of range")
            }
            stops.append(SweepResults.Stop(tasks: tasks, code: code,
                                           text: try optionalString(object, "stopped_text", in: place) ?? code))
        }
        return stops
    }

    private func run(_ object: OpaquePointer, in place: String) throws(SweepReadError) -> SweepResults.Run {
        let statusText = try string(object, "status", in: place)
        guard let status = SweepResults.Run.Status(rawValue: statusText) else {
            throw fail("\(place)status is \(TerminalText.quoted(statusText)); expected ok, failed, error or skipped")
        }
        guard let tasks = Int(exactly: try integer(object, "tasks", in: place)),
              let exitCode = Int32(exactly: try integer(object, "exit_code", in: place)) else {
            throw fail("\(place)tasks or exit_code is out of range")
        }
        var run = SweepResults.Run(strategy: try string(object, "strategy", in: place), tasks: tasks, status: status,
                                   exitCode: exitCode)
        if let round = try number(object, "round", in: place) {
            guard let whole = Int(exactly: round), whole >= 0 else { throw fail("\(place)round is not a count") }
            run.round = whole
        }
        run.error = try optionalString(object, "error", in: place)
        run.wallSeconds = try number(object, "wall_s", in: place)
        run.throughput = try number(object, "throughput_tasks_per_s", in: place)
        run.latencyP99Milliseconds = try number(object, "latency_ms_p99", in: place)
        run.dispatchOverheadMicroseconds = try number(object, "dispatch_overhead_us_mean", in: place)
        run.switchesPerTask = try number(object, "switches_per_task", in: place)
        if let rss = try number(object, "peak_rss_bytes", in: place) {
            guard let bytes = Int(exactly: rss.rounded()) else { throw fail("\(place)peak_rss_bytes is out of range") }
            run.peakRSSBytes = bytes
        }
        run.trace = try optionalString(object, "trace", in: place)
        return run
    }

    // MARK: Fields

    private func fail(_ reason: String) -> SweepReadError {
        .notASweep(path: path, reason: reason)
    }

    private func string(_ object: OpaquePointer, _ key: String, in place: String) throws(SweepReadError) -> String {
        guard let text = try optionalString(object, key, in: place) else { throw fail("\(place)\(key) is missing") }
        return text
    }

    private func optionalString(_ object: OpaquePointer, _ key: String, in place: String) throws(SweepReadError)
        -> String?
    {
        guard let value = JSONC.member(object, key) else { return nil }
        guard json_object_get_type(value) == json_type_string else { throw fail("\(place)\(key) is not a string") }
        return JSONC.string(value)
    }

    private func integer(_ object: OpaquePointer, _ key: String, in place: String) throws(SweepReadError) -> Int64 {
        guard let value = JSONC.member(object, key) else { throw fail("\(place)\(key) is missing") }
        guard case .int(let integer) = TraceValue(value) else { throw fail("\(place)\(key) is not an integer") }
        return integer
    }

    /// A whole number of at least `minimum`.
    private func count(_ object: OpaquePointer, _ key: String, in place: String, minimum: Int) throws(SweepReadError)
        -> Int
    {
        guard let value = Int(exactly: try integer(object, key, in: place)), value >= minimum, value <= 1_000_000 else {
            throw fail("\(place)\(key) must be \(minimum)...1000000")
        }
        return value
    }

    /// A number (integer or not), nil when missing or `null`.
    private func number(_ object: OpaquePointer, _ key: String, in place: String) throws(SweepReadError) -> Double? {
        guard let value = JSONC.member(object, key) else { return nil }
        guard let number = TraceValue(value).doubleValue, number.isFinite else {
            throw fail("\(place)\(key) is not a number")
        }
        return number
    }
}
