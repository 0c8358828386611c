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

    @Test("floor: the bare executor's switch is measured beside the event loop, not recorded")
    func floorSwitch() throws {
        let output = try CLIRunner.run(["bench", "switch", "--cases", "eventloop,floor", "--runs", "1",
                                        "--recording", "both", "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let rows = try #require(output.json?["switches"] as? [[String: Any]])
        #expect(rows.map { "\($0["strategy"] ?? "")/\($0["recording"] ?? "")" }
                == ["eventloop/on", "eventloop/off", "floor/off"])
        #expect(rows.allSatisfy { ($0["ns_per_switch"] as? Double ?? 0) > 0 })
    }

    @Test("writer: the events of a made-up sleep run, converted, with their count and bytes")
    func writer() throws {
        let output = try CLIRunner.run(["bench", "writer", "--tasks", "1000", "--rounds", "1", "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        // 7 events per task, and 7 for the root.
        #expect(json["events"] as? Int == 7_007)
        #expect((json["bytes"] as? Int ?? 0) > 7_007 * 80)
        #expect((json["events_per_s"] as? Double ?? 0) > 0)
    }
}
