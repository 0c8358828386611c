#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem

/// A big trace's bytes, written past the page cache (`O_DIRECT`) once the file is big enough to matter.
///
/// Buffered writes copy every byte into the page cache, and the kernel writes it back later: for a 1,000,000-task
/// trace (2 GB) that was 3-6 s of system time in the writer and the kernel's threads, on the two cores the run itself
/// needs (memory the virtual machine has not touched before is the slow part). Direct writes hand the file system
/// whole 4 KiB blocks from an aligned buffer instead: 0.3 s of system time for 2 GB on this machine kind.
///
/// ```
///   below `directThreshold`: every write goes to the file at once (buffered), as before
///   at the threshold: spaces to the next 4 KiB boundary (JSON whitespace between two events), then O_DIRECT
///   past it: bytes staged; whole blocks written once `directBatch` is staged; the tail buffered at the end
/// ```
///
/// Small traces (tests, examples, most runs) never reach the threshold and are written as before. A big trace killed
/// with -9 loses what is staged (less than `directBatch` plus a block: milliseconds of a busy run); a run that ends,
/// fails or is interrupted writes it all. Where `O_DIRECT` is refused (not a regular file, a file system without
/// it, a write it rejects), or no aligned memory is to be had, writes stay or go back to the page cache.
final class DirectTraceOutput {
    /// File size past which writes go direct, by default.
    static let directThreshold = 32 << 20
    /// Staged bytes written in one direct write, by default.
    static let directBatch = 1 << 20
    private static let block = 4096

    private let threshold: Int
    private let batch: Int

    private let file: OutputFile
    /// Bytes in the file (where the next write goes).
    private var written = 0
    /// Whether O_DIRECT is on now.
    private var direct = false
    /// Whether direct writes were tried, so writes go to explicit offsets (`written`) from then on.
    private var positional = false
    /// Whether direct writes are ruled out for this file.
    private var refused = false
    private var stage: UnsafeMutableRawPointer?
    private var stageCapacity = 0
    private var staged = 0

    /// Writes `file`; direct past `threshold` bytes, `batch` bytes at a time (tests use small ones).
    init(file: OutputFile, threshold: Int = directThreshold, batch: Int = directBatch) {
        self.file = file
        self.threshold = threshold
        self.batch = max(batch, Self.block)
    }

    deinit {
        free(stage)
    }

    /// Writes (or stages) `bytes` at the end of the file.
    /// - Throws: `OutputError.writeFailed`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        if !positional, !refused, written + bytes.count >= threshold { try startDirect() }
        guard direct else {
            try writeThrough(bytes)
            return
        }
        guard stageAppend(bytes) else {
            // No aligned memory for the stage: what is staged, then these bytes, through the page cache.
            try flush()
            stopDirect()
            refused = true
            try writeThrough(bytes)
            return
        }
        if staged >= batch { try writeStaged(wholeBlocks: true) }
    }

    /// Writes everything staged: the whole blocks direct, the partial last one through the page cache (the file
    /// then ends where the text does). Writes after it go through the page cache.
    /// - Throws: `OutputError.writeFailed`.
    func flush() throws(OutputError) {
        guard staged > 0 else { return }
        try writeStaged(wholeBlocks: true)
        guard staged > 0 else { return }
        stopDirect()
        try writeStaged(wholeBlocks: false)
    }

    /// Writes what is staged and closes the file.
    /// - Throws: `OutputError.writeFailed`.
    func commit() throws(OutputError) {
        try flush()
        try file.commit()
    }

    // MARK: Switching

    /// Pads the file with spaces to a block boundary (whitespace between two events: the same JSON) and turns O_DIRECT
    /// on; a descriptor that is not a regular file, or refuses it, stays buffered for good.
    private func startDirect() throws(OutputError) {
        var info = stat()
        let fd = file.descriptor.rawValue
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            refused = true
            return
        }
        let padding = (Self.block - written % Self.block) % Self.block
        if padding > 0 {
            let spaces = [UInt8](repeating: UInt8(ascii: " "), count: padding)
            try spaces.withUnsafeBytes { buffer in
                Result { () throws(OutputError) in try writeThrough(buffer) }
            }.get()
        }
        positional = true
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | Self.directFlag) == 0 else {
            refused = true
            return
        }
        direct = true
    }

    private func stopDirect() {
        guard direct else { return }
        let fd = file.descriptor.rawValue
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~Self.directFlag) }
        direct = false
    }

    /// O_DIRECT (which Glibc declares only under _GNU_SOURCE; its value differs by architecture).
    private static var directFlag: Int32 {
        #if arch(x86_64) || arch(i386)
        0o40000
        #else
        0o200000
        #endif
    }

    // MARK: Writing

    /// Writes `bytes` at the end of the file, as they are (through the page cache unless O_DIRECT is on and they
    /// are aligned whole blocks).
    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        guard positional else {
            // The file's own offset is its end: the same write(2) loop as every output.
            try file.write(bytes)
            written += bytes.count
            return
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var done = 0
        while done < bytes.count {
            let result = pwrite(file.descriptor.rawValue, base + done, bytes.count - done, off_t(written))
            if result > 0 {
                done += result
                written += result
                continue
            }
            let code = result == 0 ? EIO : errno
            if code == EINTR { continue }
            if code == EINVAL, direct {
                // The file system refuses this direct write: through the page cache from here on.
                stopDirect()
                refused = true
                continue
            }
            throw .writeFailed(path: file.path, OSError(call: "write", errno: code))
        }
    }

    /// Writes the staged whole blocks (`wholeBlocks`) or everything staged, and keeps the rest at the stage's start.
    private func writeStaged(wholeBlocks: Bool) throws(OutputError) {
        guard let stage else { return }
        let count = wholeBlocks ? staged & ~(Self.block - 1) : staged
        guard count > 0 else { return }
        let before = written
        do throws(OutputError) {
            try writeThrough(UnsafeRawBufferPointer(start: stage, count: count))
        } catch {
            // What did reach the file leaves the stage; the rest is lost with the error, as with any output.
            let reached = written - before
            staged -= reached
            if staged > 0 { stage.copyMemory(from: stage + reached, byteCount: staged) }
            throw error
        }
        staged -= count
        if staged > 0 { stage.copyMemory(from: stage + count, byteCount: staged) }
    }

    /// Copies `bytes` after what is staged, growing the aligned stage if need be; false if no memory was to be had.
    private func stageAppend(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if staged + bytes.count > stageCapacity {
            var capacity = max(stageCapacity * 2, batch * 2)
            while capacity < staged + bytes.count { capacity *= 2 }
            var grown: UnsafeMutableRawPointer?
            guard posix_memalign(&grown, Self.block, capacity) == 0, let grown else { return false }
            if let stage {
                grown.copyMemory(from: stage, byteCount: staged)
                free(stage)
            }
            stage = grown
            stageCapacity = capacity
        }
        if let base = bytes.baseAddress, bytes.count > 0 {
            (stage.unsafelyUnwrapped + staged).copyMemory(from: base, byteCount: bytes.count)
        }
        staged += bytes.count
        return true
    }
}
