import Foundation
import Testing

/// A parsed trace (Array form), with the checks every conctrace trace must pass.
struct ParsedTrace {
    let events: [[String: Any]]

    init(json bytes: [UInt8]) throws {
        let value = try JSONSerialization.jsonObject(with: Data(bytes))
        events = try #require(value as? [[String: Any]])
    }

    func with(phase: String) -> [[String: Any]] { events.filter { $0["ph"] as? String == phase } }

    /// The importer facts of ../shared/reference/trace-format.md, and the nesting conctrace promises.
    func checkImporterRules(sourceLocation: SourceLocation = #_sourceLocation) {
        for event in events {
            let phase = event["ph"] as? String ?? "?"
            #expect(phase != "T", "no T phase", sourceLocation: sourceLocation)
            #expect(event["pid"] is Int, "integer pid: \(event)", sourceLocation: sourceLocation)
            if let pid = event["pid"] as? Int { #expect(pid > 0 && pid <= Int(UInt32.max), sourceLocation: sourceLocation) }
            if let tid = event["tid"] {
                let value = tid as? Int
                #expect(value != nil && value! > 0 && value! <= Int(UInt32.max), "tid \(tid)",
                        sourceLocation: sourceLocation)
            }
            if phase != "M" { #expect(event["ts"] is NSNumber, "ts on \(event)", sourceLocation: sourceLocation) }
            if ["s", "f"].contains(phase) { #expect(event["id"] is Int, "integer flow id", sourceLocation: sourceLocation) }
        }
        // X slices on one thread never overlap.
        var byThread: [Int: [(Double, Double)]] = [:]
        for slice in with(phase: "X") {
            let tid = slice["tid"] as! Int
            byThread[tid, default: []].append(((slice["ts"] as! NSNumber).doubleValue,
                                               (slice["dur"] as! NSNumber).doubleValue))
        }
        for (tid, slices) in byThread {
            let sorted = slices.sorted { $0.0 < $1.0 }
            for (first, second) in zip(sorted, sorted.dropFirst()) {
                #expect(first.0 + first.1 <= second.0 + 1e-9, "overlapping X slices on tid \(tid)",
                        sourceLocation: sourceLocation)
            }
        }
        // Every b has its e (same category and local id), and flows pair up.
        var open: [String: Int] = [:]
        for event in events where ["b", "e"].contains(event["ph"] as? String) {
            let key = "\(event["cat"] ?? "")/\((event["id2"] as? [String: Any])?["local"] ?? "")"
            open[key, default: 0] += event["ph"] as? String == "b" ? 1 : -1
        }
        #expect(open.values.allSatisfy { $0 == 0 }, "unbalanced async spans", sourceLocation: sourceLocation)
        let starts = Set(with(phase: "s").compactMap { $0["id"] as? Int })
        let ends = Set(with(phase: "f").compactMap { $0["id"] as? Int })
        #expect(starts == ends, "every flow start has its end", sourceLocation: sourceLocation)
    }
}
