import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads

/// What a worker process answers for one task, as one line on its stdout.
///
/// ```
///   R <index> <start-ns> <end-ns> <tid> ok <result|-> <bytes|-> [<key>=<s|i|d><value> ...]
///   R <index> <start-ns> <end-ns> <tid> err <text> [<key>=<s|i|d><value> ...]
///   R <index> <start-ns> <end-ns> <tid> cancelled
/// ```
///
/// `start` and `end` are the worker's first running and its end (the same monotonic clock as the parent's); the
/// details (a download's `url`, `status`, `bytes`, timings) are typed (`s` string, `i` integer, `d` double), and
/// text is percent-encoded (`%`, space, tab, CR, LF, `=`) so that a line stays one line of space-separated fields.
struct ProcessTaskReport: Equatable {
    /// How the task ended in the worker.
    enum Ending: Equatable {
        case done(result: UInt128?, bytes: Int?)
        case failed(error: String)
        case cancelled
    }

    var index: Int
    var started: UInt64
    var ended: UInt64
    var thread: UInt32
    var ending: Ending
    var details: [TaskDetail]

    /// The report's line, with its newline.
    var line: String {
        var line = "R \(index) \(started) \(ended) \(thread)"
        switch ending {
        case .done(let result, let bytes):
            line += " ok " + (result.map { String($0) } ?? "-") + " " + (bytes.map { String($0) } ?? "-")
        case .failed(let error):
            line += " err " + Self.encode(error.isEmpty ? "error" : error)
        case .cancelled:
            line += " cancelled"
        }
        for detail in details {
            line += " " + Self.encode(detail.key) + "="
            switch detail.value {
            case .string(let text): line += "s" + Self.encode(text)
            case .int(let number): line += "i" + String(number)
            case .double(let number): line += "d" + String(number)
            }
        }
        return line + "\n"
    }

    /// Parses a report line (without its newline); nil if it is not one.
    init?(line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count >= 6, fields[0] == "R", let index = Int(fields[1]), let started = UInt64(fields[2]),
              let ended = UInt64(fields[3]), let thread = UInt32(fields[4]) else { return nil }
        var rest = fields[6...]
        let ending: Ending
        switch fields[5] {
        case "ok":
            guard rest.count >= 2 else { return nil }
            let result = rest.removeFirst()
            let bytes = rest.removeFirst()
            ending = .done(result: result == "-" ? nil : UInt128(String(result)),
                           bytes: bytes == "-" ? nil : Int(bytes))
        case "err":
            guard let error = rest.popFirst() else { return nil }
            ending = .failed(error: Self.decode(error))
        case "cancelled":
            ending = .cancelled
        default:
            return nil
        }
        var details: [TaskDetail] = []
        for field in rest {
            guard let equals = field.firstIndex(of: "="), let type = field[field.index(after: equals)...].first
            else { return nil }
            let key = Self.decode(field[..<equals])
            let text = field[field.index(equals, offsetBy: 2)...]
            switch type {
            case "s": details.append(TaskDetail(key, .string(Self.decode(text))))
            case "i": guard let number = Int64(text) else { return nil }; details.append(TaskDetail(key, .int(number)))
            case "d": guard let number = Double(text) else { return nil }; details.append(TaskDetail(key, .double(number)))
            default: return nil
            }
        }
        self.init(index: index, started: started, ended: ended, thread: thread, ending: ending, details: details)
    }

    init(index: Int, started: UInt64, ended: UInt64, thread: UInt32, ending: Ending, details: [TaskDetail]) {
        self.index = index
        self.started = started
        self.ended = ended
        self.thread = thread
        self.ending = ending
        self.details = details
    }

    /// The task's outcome for the parent's batch: its result, bytes and details, or its failure with the cause.
    var outcome: Result<TaskOutcome, any Error> {
        switch ending {
        case .done(let result, let bytes):
            return .success(TaskOutcome(result: result, bytes: bytes, details: details))
        case .failed(let error):
            return .failure(TaskFailure(error: WorkerReportedError(description: error), details: details))
        case .cancelled:
            return .failure(TaskError.cancelled)
        }
    }

    private static let escaped: Set<UInt8> = [UInt8(ascii: "%"), UInt8(ascii: " "), UInt8(ascii: "\t"),
                                               UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "=")]

    static func encode(_ text: String) -> String {
        var bytes: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if escaped.contains(byte) {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
