#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder

/// Why a trace could not be written.
public enum TraceWriteError: Error, Sendable, CustomStringConvertible {
    /// The trace file could not be created (missing folder, no permission).
    case cannotCreate(path: String, OSError)
    /// Writing failed part-way (e.g. the disk is full); what was written before still loads.
    case writeFailed(path: String, OSError)

    /// One line saying what failed and where.
    public var description: String {
        switch self {
        case .cannotCreate(let path, let error): "cannot create trace \(path): \(error)"
        case .writeFailed(let path, let error): "writing trace \(path) failed: \(error)"
        }
    }
}

/// A `TraceSink` that writes a Chrome Trace Event JSON file (Array form, one event per line) as the run goes.
///
/// The head (process name, run metadata) is written and flushed when the file is opened, every drain round is
/// written with one `write(2)`, and `finish` adds the final statistics and the closing `]`. A file cut off at any
/// point (kill -9, full disk) still loads in Perfetto UI and chrome://tracing.
public final class ChromeTraceWriter: TraceSink {
    /// The file's path.
    public let path: String
    private let descriptor: Int32
    private var converter: ChromeTraceConverter
    private var closed = false

    /// Creates (or truncates) the trace file and writes its head.
    /// - Parameters:
    ///   - path: where to write.
    ///   - processID: the trace's `pid` for this process's events.
    ///   - processName: the process track's name.
    ///   - metadata: the run metadata written at the head.
    /// - Throws: `TraceWriteError` if the file cannot be created or written.
    public init(path: String, processID: UInt32, processName: String, metadata: RunMetadata) throws(TraceWriteError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotCreate(path: path, OSError(call: "open", errno: errno)) }
        descriptor = fd
        converter = ChromeTraceConverter(processID: processID)
        converter.writeHeader(processName: processName, metadata: metadata)
        try flush()
    }

    deinit {
        if !closed { close(descriptor) }
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
        closed = true
        if close(descriptor) != 0 {
            throw TraceWriteError.writeFailed(path: path, OSError(call: "close", errno: errno))
        }
    }

    private func flush() throws(TraceWriteError) {
        let failure: OSError? = converter.drainOutput { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return OSError(call: "write", errno: errno)
                }
                offset += written
            }
            return nil
        }
        if let failure { throw .writeFailed(path: path, failure) }
    }
}
