import NIOCore

/// The pages the site serves: their sizes (the tutorial's) and their bodies.
public enum PageCatalog {
    /// The sizes in bytes of the tutorial's 15 pages; page k has `tutorialSizes[k % 15]`.
    public static let tutorialSizes = [
        63153, 31461, 23965, 36312, 25203, 15160, 28749, 29587, 79318, 30298, 73914, 62218, 22318, 36800, 67028,
    ]

    /// The body size of page `page`, in bytes.
    public static func size(ofPage page: Int) -> Int {
        precondition(page >= 0, "pages are numbered from 0")
        return tutorialSizes[page % tutorialSizes.count]
    }

    /// The total body bytes of pages `0..<pages` (625,484 for the tutorial's 15).
    public static func totalBytes(pages: Int) -> Int {
        let whole = pages / tutorialSizes.count
        let rest = tutorialSizes.prefix(pages % tutorialSizes.count).reduce(0, +)
        return whole * tutorialSizes.reduce(0, +) + rest
    }
}

/// The 15 page bodies, built once in ONE buffer; each response sends a slice of it, so serving a page allocates
/// no body bytes (a `ByteBuffer` slice shares its storage).
///
/// Body i is a small HTML document of exactly `PageCatalog.tutorialSizes[i]` bytes:
/// a head naming the page, numbered `<p>` lines, space padding and a closing `</body></html>\n`.
final class PageBodies: Sendable {
    static let shared = PageBodies()

    /// `bodies[i]` is the body of every page k with k % 15 == i.
    let bodies: [ByteBuffer]

    private init() {
        let sizes = PageCatalog.tutorialSizes
        var storage = ByteBufferAllocator().buffer(capacity: sizes.reduce(0, +))
        var ranges: [(offset: Int, length: Int)] = []
        for (index, size) in sizes.enumerated() {
            let start = storage.writerIndex
            Self.writeDocument(index: index, size: size, into: &storage)
            precondition(storage.writerIndex - start == size, "page body \(index) has the wrong size")
            ranges.append((start, size))
        }
        let built = storage
        bodies = ranges.map { built.getSlice(at: $0.offset, length: $0.length)! }
    }

    private static func writeDocument(index: Int, size: Int, into buffer: inout ByteBuffer) {
        let head = "<!DOCTYPE html>\n<html><head><title>conctrace page \(index)</title></head>\n<body>\n"
        let tail = "</body></html>\n"
        let budget = size - head.utf8.count - tail.utf8.count
        precondition(budget >= 0, "page \(index) is too small for its frame")
        buffer.writeString(head)
        var written = 0
        var line = 0
        while true {
            let text = "<p>line \(line) of page \(index): the quick brown fox jumps over the lazy dog.</p>\n"
            guard written + text.utf8.count <= budget else { break }
            written += buffer.writeString(text)
            line += 1
        }
        buffer.writeRepeatingByte(UInt8(ascii: " "), count: budget - written)
        buffer.writeString(tail)
    }
}
