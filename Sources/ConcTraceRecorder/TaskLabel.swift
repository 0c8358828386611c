import ConcTraceSystem

/// A task's label as an event carries it (`cpu`, `main`, a `Task(name:)`): 4 bytes naming an entry of the
/// process-wide label table, so an event stays fixed-size and copying it allocates nothing.
///
/// Making a label from text is the cold path (a lock, a table lookup): make each label once (per run, per named
/// task) and record its value. Reading a label's text is for the writer, once per label.
public struct TaskLabel: Hashable, Sendable {
    /// The label's index in the table (0: no label).
    public let id: UInt32

    /// No label: the task is shown by its id alone. (Computed: it is every event's default, and a stored static
    /// would cost a lazy-initialization check at each.)
    @inlinable
    public static var none: TaskLabel { TaskLabel(id: 0) }
    /// The root task of a run.
    public static let main = TaskLabel("main")
    /// The label of a task whose `created` event is missing (dropped, or recorded by another process).
    public static let task = TaskLabel("task")

    /// The most labels the table holds; text beyond it shares one overflow label (`task`), so that a program naming
    /// millions of tasks differently cannot grow memory without bound.
    public static let capacity = 1 << 20

    /// The label for `text`, added to the table the first time.
    public init(_ text: String) {
        id = LabelTable.shared.intern(text)
    }

    /// The label for a literal.
    public init(_ text: StaticString) {
        self.init(text.description)
    }

    @usableFromInline
    init(id: UInt32) {
        self.id = id
    }

    /// The label's text ("" for `none`).
    public var text: String {
        LabelTable.shared.text(of: id) ?? ""
    }
}

/// The process-wide table behind `TaskLabel`: text to id and back, behind a lock (cold path only).
private final class LabelTable: Sendable {
    static let shared = LabelTable()

    private let table = Locked<(texts: [String], ids: [String: UInt32])>(([""], ["": 0]))

    func intern(_ text: String) -> UInt32 {
        table.withLock { table in
            if let id = table.ids[text] { return id }
            guard table.texts.count < TaskLabel.capacity else { return table.ids["task"] ?? 0 }
            let id = UInt32(table.texts.count)
            table.texts.append(text)
            table.ids[text] = id
            return id
        }
    }

    func text(of id: UInt32) -> String? {
        table.withLock { table in Int(id) < table.texts.count ? table.texts[Int(id)] : nil }
    }
}
