/// Why the Lab could not do what was asked: a kind (which the CLI maps to its exit code) and one line that says what
/// to do.
public struct LabError: Error, Sendable, CustomStringConvertible {
    /// The failure's class, as the documented exit codes distinguish them.
    public enum Kind: Sendable, Equatable {
        /// The request itself is wrong (arguments that contradict each other).
        case usage
        /// Input data is malformed: a trace, a sweep file, a URL list that is not what it should be.
        case dataError
        /// An input cannot be opened or read.
        case noInput
        /// A server cannot listen (a port in use).
        case cannotListen
        /// Workers (threads, processes) could not be started.
        case cannotStartWorkers
        /// An output cannot be created.
        case cannotCreateOutput
        /// Writing an output failed part-way (a full disk); what was written is kept.
        case ioError
    }

    /// The failure's class.
    public var kind: Kind
    /// One line saying what failed and what to do.
    public var message: String

    /// Makes an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
