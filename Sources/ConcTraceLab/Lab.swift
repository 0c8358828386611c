import ConcTraceReader
import ConcTraceWorkloads

/// The application layer's constants.
public enum Lab {
    /// conctrace's version, as traces and results record it.
    public static let version = "0.1.0"

    /// The C libraries linked in, as their own version strings say.
    public static var libraryVersions: String {
        "libcurl \(CurlLibrary.version), json-c \(JSONLibrary.version)"
    }
}
