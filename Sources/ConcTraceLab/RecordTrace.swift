import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWriter

/// The trace of a recorded program, written by `record` from the program's event log once the program has ended:
/// the program's tracer only appends fixed-size records, so no JSON is made inside the program while it runs.
///
/// ```
///   event log (anonymous file) ──EventLogReader──▶ ChromeTraceConverter (pid: the program's) ──▶ <trace>.XXXXXX
///                                                                   "]", complete ──rename──▶ <trace>
/// ```
///
/// Every end a program's log holds is inferred (the Swift runtime never says a task completed): each gets
/// `end: inferred`. A log cut short (the program crashed, or was killed) is converted up to its last complete record
/// and the trace closed: its last `conctrace.stats` then says `final: false`.
enum RecordTrace {
    /// What the log held.
    struct Result: Sendable, Equatable {
        /// Tasks created.
        var tasks: Int
        /// Tasks whose end was recorded.
        var ended: Int
        /// Events recorded.
        var events: Int
        /// Events dropped (from the last statistics the program wrote).
        var dropped: Int
        /// Whether the program finished its recording (its final statistics are in the log).
        var isFinal: Bool
    }

    /// Writes the trace at `path` from `log`.
    /// - Throws: `LabError` (`cannotCreateOutput`, `ioError`) when the trace cannot be written, `dataError` when
    ///   the log is not an event log.
    static func write(log: FileDescriptor, to path: String, processID: Int32, processName: String,
                      metadata: RunMetadata, nsPerEvent: Double) throws(LabError) -> Result {
        let reader: EventLogReader
        do {
            reader = try EventLogReader(descriptor: log)
        } catch {
            throw LabError(.dataError, "the program's recording cannot be read: \(error)")
        }
        let file: OutputFile
        do {
            file = try OutputFile(path: path, mode: .replaceWhenComplete)
        } catch {
            throw TracedRun.traceOutputFailure(error)
        }
        var converter = ChromeTraceConverter(processID: UInt32(bitPattern: processID))
        converter.writeHeader(processName: processName, metadata: metadata)
        let annotations = TaskAnnotations()
        var result = Result(tasks: 0, ended: 0, events: 0, dropped: 0, isFinal: false)
        var last: (stats: RecorderStats, timestamp: UInt64)?
        do throws(OutputError) {
            while let record = try? reader.next() {
                switch record {
                case .worker(let id, let name):
                    converter.workerStarted(worker: id, name: name)
                case .events(let events):
                    for event in events {
                        switch event.kind {
                        case .created: result.tasks += 1
                        case .done:
                            annotations.annotate(event.task, "end", .string("inferred"))
                            result.ended += 1
                        case .failed, .cancelled: result.ended += 1
                        default: break
                        }
                    }
                    result.events += events.count
                    converter.consume(events, annotations: annotations)
                case .stats(let stats, let timestamp):
                    last = (stats, timestamp)
                    if !stats.isFinal { converter.writeStats(stats, at: timestamp) }
                }
                try flush(&converter, into: file)
            }
            result.dropped = Int(last?.stats.dropped ?? 0)
            result.isFinal = last?.stats.isFinal == true && !reader.isTruncated
            if let last, last.stats.isFinal {
                converter.writeStats(last.stats, at: last.timestamp)
            } else if last == nil {
                // Cut before its first statistics: what the log held, not final.
                converter.writeStats(RecorderStats(events: UInt64(result.events), dropped: 0, lost: 0,
                                                   nsPerEvent: nsPerEvent, workers: 0, isFinal: false),
                                     at: MonotonicClock.now())
            }
            converter.writeFooter()
            try flush(&converter, into: file)
            try file.commit()
        } catch {
            throw TracedRun.traceOutputFailure(error)
        }
        return result
    }

    private static func flush(_ converter: inout ChromeTraceConverter, into file: OutputFile) throws(OutputError) {
        try converter.drainOutput { bytes in
            Swift.Result { () throws(OutputError) in try file.write(UnsafeRawBufferPointer(bytes)) }
        }.get()
    }
}
