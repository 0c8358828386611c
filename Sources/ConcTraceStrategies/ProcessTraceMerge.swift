#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder

/// Merges the workers' traces into the parent's, so one file holds one `pid` per process.
///
/// The parent's closed trace loses its `]`; each worker trace's complete event lines follow (a worker killed
/// mid-run may have left a last line cut short: it is skipped), except what the parent owns: the tasks' life
/// spans (the `b`/`e` of category `task` named after the task; the worker's state spans stay) and the `tasks`
/// counter (the parent's counts every task of the run); the worker's `conctrace.run`/`conctrace.stats` become
/// `conctrace.worker`/`conctrace.worker_stats`. Then a `spawn worker N` instant per worker on the parent's main
/// thread (`cat: spawn`, at the start of its `posix_spawn`, with its pid and the spawn's length in µs); then, per
/// hand-off, a `dispatch` flow from the parent's main thread at the time the task was made ready (`s`) to the
/// worker's running slice (`f` with `bp: "e"` at the time the worker reported, which is the running slice's own
/// start, so the arrow binds to that slice; without `bp`, Perfetto orders an `f` after a slice that starts at the
/// same time and bound the arrow to the worker's next task, or to nothing after its last), with id `2^48 + task id` (the converters' own
/// flow ids are small counters); then a `process` counter per worker with its getrusage (CPU time in ms, context
/// switches); then `]`. The workers' files are removed.
public enum ProcessTraceMerge {
    /// The base of the cross-process flow ids.
    public static let flowIDBase: UInt64 = 1 << 48

    /// Merges into `tracePath` what `log` recorded; `parentPID` is the parent's trace pid.
    /// - Throws: `OSError` if the parent trace cannot be read or written.
    public static func merge(into tracePath: String, log: ProcessPoolLog, parentPID: UInt32) throws {
        var parent = try readFile(tracePath)
        // Drop the closing "]" (and whitespace around it).
        while let last = parent.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { parent.removeLast() }
        if parent.last == UInt8(ascii: "]") { parent.removeLast() }
        while parent.last == UInt8(ascii: "\n") { parent.removeLast() }
        var lines: [String] = []
        for spawn in log.spawns {
            guard let path = spawn.tracePath, let bytes = try? readFile(path) else { continue }
            lines += completeEvents(in: bytes).compactMap(workerLine)
            unlink(path)
        }
        for spawn in log.spawns {
            lines.append(#"{"ph":"i","s":"t","cat":"spawn","name":"spawn worker \#(spawn.number)","pid":\#(parentPID),"tid":1,"ts":\#(micros(spawn.started)),"args":{"pid":\#(spawn.pid),"spawn_us":\#(micros(spawn.ended &- spawn.started))}}"#)
        }
        for handoff in log.handoffs {
            let id = flowIDBase + handoff.task
            lines.append(#"{"ph":"s","cat":"dispatch","name":"dispatch","id":\#(id),"pid":\#(parentPID),"tid":1,"ts":\#(micros(handoff.spawned)),"args":{"dispatched_us":\#(micros(handoff.dispatched))}}"#)
            lines.append(#"{"ph":"f","cat":"dispatch","name":"dispatch","id":\#(id),"bp":"e","pid":\#(handoff.workerPID),"tid":\#(handoff.workerThread),"ts":\#(micros(handoff.started))}"#)
        }
        for worker in log.workers {
            guard let usage = worker.usage else { continue }
            lines.append(#"{"ph":"C","name":"process (worker \#(worker.number))","pid":\#(worker.pid),"tid":1,"ts":\#(micros(worker.ended)),"args":{"user_cpu_ms":\#(usage.user / 1000),"system_cpu_ms":\#(usage.system / 1000),"voluntary_switches":\#(usage.voluntary),"involuntary_switches":\#(usage.involuntary),"peak_rss_mib":\#(usage.peakResidentBytes >> 20)}}"#)
        }
        var text = ""
        for line in lines { text += ",\n" + line }
        text += "\n]\n"
        parent += Array(text.utf8)
        try writeFile(tracePath, parent)
    }

    /// Removes the workers' temporary trace files that are still there (after a merge, none are).
    public static func removeWorkerTraces(of log: ProcessPoolLog) {
        for spawn in log.spawns { if let path = spawn.tracePath { unlink(path) } }
    }

    /// A worker trace's line as it goes into the merged trace, or nil for what the parent owns.
    ///
    /// Lines are matched on the converter's fixed key order (`ph`, `cat`, `name` first).
    static func workerLine(_ line: String) -> String? {
        // The run's metadata and statistics are the parent's: a worker's are renamed, so readers that take the
        // last `conctrace.run`/`conctrace.stats` still see the parent's.
        let run = #"{"ph":"i","name":"conctrace.run""#
        let stats = #"{"ph":"i","name":"conctrace.stats""#
        if line.hasPrefix(run) { return #"{"ph":"i","name":"conctrace.worker""# + line.dropFirst(run.count) }
        if line.hasPrefix(stats) { return #"{"ph":"i","name":"conctrace.worker_stats""# + line.dropFirst(stats.count) }
        if line.hasPrefix(#"{"ph":"C","name":"tasks""#) { return nil }
        let spanPrefixes = [#"{"ph":"b","cat":"task","name":""#, #"{"ph":"e","cat":"task","name":""#]
        guard let prefix = spanPrefixes.first(where: line.hasPrefix) else { return line }
        let name = line.dropFirst(prefix.count)
        let isState = name.hasPrefix(#"ready""#) || name.hasPrefix(#"running""#) || name.hasPrefix("waiting (")
        return isState ? line : nil
    }

    /// The event lines of a trace in the Array form, one per line, without `[`, `]` and trailing commas; a last
    /// line cut short is left out.
    static func completeEvents(in bytes: [UInt8]) -> [String] {
        var events: [String] = []
        for raw in bytes.split(separator: UInt8(ascii: "\n")) {
            var line = String(decoding: raw, as: UTF8.self)
            if line.hasSuffix(",") { line.removeLast() }
            guard line.hasPrefix("{"), line.hasSuffix("}"), balanced(line) else { continue }
            events.append(line)
        }
        return events
    }

    /// Whether braces balance outside strings: a line cut inside a value does not.
    private static func balanced(_ line: String) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in line.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") { inString = true }
            else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
        }
        return depth == 0 && !inString
    }

    private static func micros(_ nanoseconds: UInt64) -> String {
        let fraction = nanoseconds % 1000
        if fraction == 0 { return String(nanoseconds / 1000) }
        let digits = String(fraction)
        return "\(nanoseconds / 1000)." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OSError(call: "open \(path)", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw OSError(call: "read \(path)", errno: errno) }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw OSError(call: "open \(path)", errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 { if errno == EINTR { continue }; throw OSError(call: "write \(path)", errno: errno) }
            offset += written
        }
    }
}
