import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem

/// A `TraceSink` that writes a Chrome Trace Event JSON file (Array form, one event per line) as the run goes.
///
/// The head (process name, run metadata) is written when the file is opened, every drain round is written with one
/// `write(2)`, and `finish` adds the final statistics and the closing `]`. A file cut off at any point (kill -9,
/// full disk) still loads in Perfetto UI and chrome://tracing. The file is an `OutputFile` written in place: a
/// regular file or a new path (truncated first), or a character device written through; never a link or a folder.
/// Past 32 MiB a regular file is written with O_DIRECT, in whole blocks (`DirectTraceOutput`).
public final class ChromeTraceWriter: TraceSink {
    /// The file's path.
    public let path: String
    private let output: DirectTraceOutput
    private var converter: ChromeTraceConverter

    /// Creates (or truncates) the trace file and writes its head.
    /// - Parameters:
    ///   - path: where to write.
    ///   - processID: the trace's `pid` for this process's events.
    ///   - processName: the process track's name.
    ///   - metadata: the run metadata written at the head.
    /// - Throws: `OutputError` if the file cannot be created or written.
    public init(path: String, processID: UInt32, processName: String, metadata: RunMetadata) throws(OutputError) {
        self.path = path
        output = DirectTraceOutput(file: try OutputFile(path: path, mode: .inPlace))
        converter = ChromeTraceConverter(processID: processID)
        converter.writeHeader(processName: processName, metadata: metadata)
        try flush()
    }

    public func workerStarted(worker: UInt32, name: String) throws {
        converter.workerStarted(worker: worker, name: name)
    }

    public func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws {
        converter.consume(events, annotations: annotations)
        try flush()
    }

    public func checkpoint(_ stats: RecorderStats) throws {
        converter.writeStats(stats, at: MonotonicClock.now())
        try flush()
    }

    public func finish(_ stats: RecorderStats) throws {
        converter.writeStats(stats, at: MonotonicClock.now())
        converter.writeFooter()
        try flush()
        try output.commit()
    }

    private func flush() throws(OutputError) {
        try converter.drainOutput { bytes in
            Result { () throws(OutputError) in try output.write(UnsafeRawBufferPointer(bytes)) }
        }.get()
    }
}
