import ConcTraceRecorder

/// What a trace says about its run at its head: tool, workload, strategy, parameters, host, clock.
///
/// Written first, so a trace cut short still has it. The entries appear in the `conctrace.run` event's args in
/// the order given; docs/trace-format.md lists the keys conctrace writes.
public struct RunMetadata: Sendable {
    /// The entries, in order.
    public var entries: [(key: String, value: AnnotationValue)]

    /// Makes metadata from ordered entries.
    public init(_ entries: [(key: String, value: AnnotationValue)] = []) {
        self.entries = entries
    }

    /// Sets `key` (replacing an earlier value for the same key).
    public mutating func set(_ key: String, _ value: AnnotationValue) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append((key, value))
        }
    }

    /// The value for `key`, if set.
    public subscript(key: String) -> AnnotationValue? {
        entries.first(where: { $0.key == key })?.value
    }
}
