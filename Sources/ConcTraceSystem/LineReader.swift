#if canImport(Glibc)
import Glibc
#endif

/// Reads lines from a descriptor (a pipe between conctrace processes): each call reads what is available and returns
/// the complete lines, keeping a partial last line for the next call.
public struct LineReader {
    /// The descriptor read.
    public let descriptor: FileDescriptor
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 4096)

    /// Reads lines from `descriptor`.
    public init(_ descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    /// The complete lines (without their newlines) in what one read returns: possibly none; nil at the end of the
    /// input or when reading fails (a partial last line is then dropped).
    public mutating func readLines() -> [String]? {
        let count: Int
        do {
            count = try chunk.withUnsafeMutableBytes { raw in
                Result { () throws(OSError) in try descriptor.read(into: raw) }
            }.get()
        } catch {
            return error.errno == EAGAIN ? [] : nil
        }
        if count == 0 { return nil }
        buffer += chunk[0..<count]
        var lines: [String] = []
        var start = buffer.startIndex
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: buffer[start..<newline], as: UTF8.self))
            start = newline + 1
        }
        buffer.removeSubrange(..<start)
        return lines
    }
}
