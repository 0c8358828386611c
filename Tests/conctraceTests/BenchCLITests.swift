import Foundation
import Testing

/// `conctrace bench switch`, end to end.
@Suite("conctrace bench switch", .serialized)
struct BenchCLITests {
    @Test("processes: a byte over two pipes between this binary and its worker, ns per switch in JSON")
    func processesSwitch() throws {
        let output = try CLIRunner.run(["bench", "switch", "--cases", "processes", "--runs", "1", "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let rows = try #require(output.json?["switches"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["strategy"] as? String == "processes" && rows.first?["recording"] as? String == "off")
        #expect((rows.first?["ns_per_switch"] as? Double ?? 0) > 0)
    }
}
