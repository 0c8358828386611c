import ConcTraceAnalysis
import Testing

/// One number formatter (issue 11 item 7): the analysis text, the advice, the sweep table and the HTML report print
/// a value with `NumberFormat`, and none of them traps, whatever the value (issue 14 item 7: values of 9.22e18 and
/// more, 1e308 and NaN crashed `report` with SIGILL).
@Suite("Number format")
struct NumberFormatTests {
    static let extremes: [Double] = [
        0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 0.5, -0.5, 2.5, 1e14, 9.99e14, 1e15, 9.22e18, 9.3e18, -9.3e18, 1e19, 1.8e19,
        1e300, 1e308, -1e308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
        Double(Int64.max), Double(Int64.min), Double(UInt64.max),
    ]

    @Test("fixed, significant, compact and mebibytes never trap, and print n/a only for non-finite values",
          arguments: extremes)
    func neverTraps(_ value: Double) {
        for decimals in [-3, 0, 1, 2, 3, 6, 15, 40] {
            let text = NumberFormat.fixed(value, decimals: decimals)
            #expect(!text.isEmpty && (text == "n/a") == !value.isFinite)
        }
        for digits in [0, 1, 3, 6, 15, 40] {
            #expect((NumberFormat.significant(value, digits: digits) == "n/a") == !value.isFinite)
        }
        #expect((NumberFormat.compact(value) == "n/a") == !value.isFinite)
        #expect(NumberFormat.mebibytes(value).hasSuffix(" MiB"))
        for unit in MetricUnit.allCases { #expect(!unit.format(value).isEmpty) }
    }

    @Test("known values")
    func known() {
        #expect(NumberFormat.fixed(2.5, decimals: 3) == "2.500")
        #expect(NumberFormat.fixed(1.005, decimals: 0) == "1")
        #expect(NumberFormat.fixed(-0.0004, decimals: 3) == "0.000")
        #expect(NumberFormat.fixed(-1.25, decimals: 1) == "-1.3")
        #expect(NumberFormat.fixed(1509.04, decimals: 1) == "1509.0")
        #expect(NumberFormat.fixed(9.3e18, decimals: 0) == "9.3e+18")
        #expect(NumberFormat.fixed(1e308, decimals: 3) == "1e+308")
        #expect(NumberFormat.significant(.leastNonzeroMagnitude, digits: 3) == "0")
        #expect(NumberFormat.significant(-.leastNonzeroMagnitude, digits: 3) == "0")
        #expect(NumberFormat.significant(350, digits: 3) == "350")
        #expect(NumberFormat.compact(1.5e6) == "1.5M" && NumberFormat.compact(2e9) == "2G")
        #expect(NumberFormat.compact(1e300) == "1e+300")
        #expect(NumberFormat.mebibytes(25_375_539) == "24.2 MiB")
    }

    @Test("the same value prints the same digits in the analysis and the sweep table")
    func sameDigits() {
        let seconds = 0.10349
        #expect(MetricUnit.seconds.format(seconds) == "0.103 s")
        var run = SweepResults.Run(strategy: "threads", tasks: 15, status: .ok, exitCode: 0)
        run.wallSeconds = 1.50851
        run.latencyP99Milliseconds = 1509.04
        run.peakRSSBytes = 25_375_539
        #expect(SweepResults.Figure.wall.formatted(run) == "1.509")
        #expect(SweepResults.Figure.peakMemory.formatted(run) == "24.2")
        #expect(SweepResults.Figure.latencyP99.formatted(run) == "1509.0")
        #expect(MetricUnit.milliseconds.plain(1509.04) == "1509.040")
    }
}

/// One text-table renderer (issue 11 item 7): `TextTable` lays out `analyze`'s tables and the sweep table.
@Suite("Text table")
struct TextTableTests {
    @Test("columns padded to their widest cell, numbers right, text left, no trailing blanks")
    func layout() {
        let table = TextTable(header: ["n", "name", "µs"], rows: [["1", "a", "10.5"], ["200", "bb", "-"]],
                              leftAligned: [1])
        #expect(table.lines == ["  n  name    µs", "  1  a     10.5", "200  bb       -"])
        let cells = TextTable(header: ["metric", "value"], rows: [[.init("x", .left), .init("n/a", .left)],
                                                                  [.init("y", .left), .init("12", .right)]])
        #expect(cells.lines == ["metric  value", "x       n/a", "y          12"])
    }

    @Test("the sweep table: the rows conctrace sweep prints (README's example)")
    func sweepTable() {
        var ok = SweepResults.Run(strategy: "sequential", tasks: 10, status: .ok, exitCode: 0)
        (ok.wallSeconds, ok.throughput, ok.latencyP99Milliseconds) = (0.101, 99.0, 101.0)
        (ok.dispatchOverheadMicroseconds, ok.switchesPerTask, ok.peakRSSBytes) = (1.49, 2.10, 22_334_669)
        var skipped = SweepResults.Run(strategy: "sequential", tasks: 1000, status: .skipped, exitCode: 0)
        skipped.error = "about 10 s predicted\u{1B}[2J"
        let sweep = SweepResults(workload: "sleep", parameters: [], host: "h", cores: 2, createdUnixSeconds: 0,
                                 version: "0", runs: [ok, skipped])
        #expect(sweep.textTable.lines == [
            "tasks  strategy    runs  wall s [95% CI]  tasks/s  p99 ms  dispatch µs  switch/task  peak MiB  status",
            "   10  sequential     1            0.101     99.0   101.0         1.49         2.10      21.3  ok",
            " 1000  sequential     -                -        -       -            -            -         -  not run: about 10 s predicted\\x1B[2J",
        ])
    }
}
