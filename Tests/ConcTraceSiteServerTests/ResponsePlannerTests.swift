import ConcTraceSiteServer
import Testing

@Suite("Response planner and latency text: seeded, reproducible", .timeLimit(.minutes(1)))
struct ResponsePlannerTests {
    static let ranged = SiteConfiguration(latency: .range(lowMilliseconds: 50, highMilliseconds: 300), seed: 42)

    func outcomes(_ configuration: SiteConfiguration, pages: Int = 15, rounds: Int = 20) -> [PageOutcome] {
        let planner = ResponsePlanner(configuration)
        return (0..<rounds).flatMap { round in (0..<pages).map { planner.outcome(page: $0, request: round) } }
    }

    @Test("the same seed gives the same latencies; another seed other ones")
    func sameSeedSameLatencies() {
        #expect(outcomes(Self.ranged) == outcomes(Self.ranged))
        var other = Self.ranged
        other.seed = 43
        #expect(outcomes(Self.ranged) != outcomes(other))
        let delays = outcomes(Self.ranged).map { outcome -> Duration in
            guard case .page(let delay) = outcome else { return .zero }
            return delay
        }
        #expect(delays.allSatisfy { $0 >= .milliseconds(50) && $0 <= .milliseconds(300) })
        #expect(Set(delays).count > 250, "latencies should vary across a range")
    }

    @Test("two servers with the same seed make the same decisions: planners agree, servers follow them")
    func serversFollowTheirPlanner() throws {
        let configuration = SiteConfiguration(
            latency: .range(lowMilliseconds: 0, highMilliseconds: 3), errorRate: 0.5, seed: 7)
        var statuses: [[Int]] = []
        for _ in 0..<2 {
            try withServer(configuration) { server in
                #expect(server.planner.seed == 7)
                let client = KeepAliveClient()
                statuses.append((0..<30).map { client.get("\(server.baseURL)/page/\($0 % 3)").status })
            }
        }
        let planner = ResponsePlanner(configuration)
        let predicted = (0..<30).map { index -> Int in
            if case .serverError = planner.outcome(page: index % 3, request: index / 3) { return 500 }
            return 200
        }
        #expect(statuses[0] == predicted)
        #expect(statuses[1] == predicted)
        #expect(Set(predicted) == [200, 500])
    }

    @Test("changing a rate never changes a request's latency")
    func ratesDoNotMoveLatencies() {
        var faulty = Self.ranged
        faulty.errorRate = 0.3
        faulty.resetRate = 0.2
        for (plain, changed) in zip(outcomes(Self.ranged), outcomes(faulty)) {
            switch changed {
            case .page(let delay), .serverError(let delay), .reset(let delay): #expect(plain == .page(after: delay))
            case .stall: Issue.record("no stall rate was set")
            }
        }
    }

    @Test("fault rates come out near their probabilities", arguments: [0.0, 0.1, 0.5])
    func faultFrequencies(rate: Double) {
        let configuration = SiteConfiguration(errorRate: rate / 2, resetRate: rate / 4, stallRate: rate / 4)
        let all = outcomes(configuration, pages: 100, rounds: 100)
        let errors = all.filter { if case .serverError = $0 { true } else { false } }.count
        let resets = all.filter { if case .reset = $0 { true } else { false } }.count
        let stalls = all.filter { $0 == .stall }.count
        #expect(abs(Double(errors) / 10_000 - rate / 2) < 0.02)
        #expect(abs(Double(resets) / 10_000 - rate / 4) < 0.02)
        #expect(abs(Double(stalls) / 10_000 - rate / 4) < 0.02)
    }

    @Test("latency text: a number or a range", arguments: [
        ("100", LatencyModel.fixed(milliseconds: 100)),
        ("0", .fixed(milliseconds: 0)),
        (" 50-300 ", .range(lowMilliseconds: 50, highMilliseconds: 300)),
        ("70-70", .fixed(milliseconds: 70)),
    ])
    func parsesLatency(text: String, expected: LatencyModel) throws {
        #expect(try LatencyModel(parsing: text) == expected)
    }

    @Test("latency text: garbage is a clear error", arguments: [
        ("abc", LatencyParseError.malformed("abc")),
        ("", .malformed("")),
        ("-5", .malformed("-5")),
        ("5-", .malformed("5-")),
        ("1-2-3", .malformed("1-2-3")),
        ("1.5", .malformed("1.5")),
        ("300-50", .reversedRange("300-50")),
        ("600001", .tooLong("600001")),
        ("99999999999999999999", .tooLong("99999999999999999999")),
    ])
    func rejectsLatency(text: String, expected: LatencyParseError) {
        #expect(throws: expected) { try LatencyModel(parsing: text) }
        #expect(expected.description.contains("'\(text)'"))
    }
}
