import Foundation
import Testing

/// `conctrace report` end to end: real traces from `conctrace run`, the page checked as a file, and, where Chromium
/// is installed, rendered by tools/screenshot-report.
@Suite("conctrace report, end to end", .serialized)
struct ReportCLITests {
    /// The repository's root (tools/ lives there).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func traces(in folder: URL) throws -> [String] {
        try ["threads", "eventloop"].map { strategy in
            try AnalyzeCLITests.record(["--workload", "sleep", "--strategy", strategy, "--tasks", "20", "--sleep-ms", "5"],
                                       "sleep-\(strategy).json", in: folder)
        }
    }

    @Test("two traces and a hostile sweep: a self-contained page with a chart per figure, strings escaped, screenshot")
    func report() throws {
        let folder = try CLIRunner.makeFolder()
        let traces = try Self.traces(in: folder)
        let sweepPath = folder.appendingPathComponent("sweep.json").path
        try """
            {"tool":"conctrace","kind":"sweep","version":"0.1.0","workload":"sleep","parameters":{"sleep_ms":5},
             "host":"h","cores":2,"created_unix_s":1764000000,"runs":[
            {"strategy":"threads","tasks":10,"status":"ok","exit_code":0,"wall_s":0.01,"throughput_tasks_per_s":1000},
            {"strategy":"threads","tasks":100,"status":"ok","exit_code":0,"wall_s":0.02,"throughput_tasks_per_s":5000},
            {"strategy":"<img src=x onerror=alert(1)>","tasks":10000,"status":"error","exit_code":71,
             "error":"<script>alert(1)</script>"}]}
            """.write(toFile: sweepPath, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("report.html").path
        let run = try CLIRunner.run(["report"] + traces + ["--sweep", sweepPath, "--out", out, "--title", "<i>e2e</i>"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("report: \(out)"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        // Self-contained: nothing fetched from anywhere.
        for pattern in ["src=\"http", "href=\"http", "src='http", "href='http", "<script", "<link", "@import", "url("] {
            #expect(!html.contains(pattern), "found \(pattern)")
        }
        // The verdict of the two traces (wall time and p99 bars), CDF, throughput, dispatch, 4 scaling charts,
        // 2 timelines.
        #expect(html.components(separatedBy: "<svg class=\"chart").count - 1 == 11)
        #expect(html.contains("<section class=\"verdicts\">") && html.contains("the verdict at each size"))
        #expect(!html.contains("<img") && !html.contains("<i>e2e</i>") && html.contains("&lt;i&gt;e2e&lt;/i&gt;"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("threads") && html.contains("eventloop") && html.contains("sample tasks"))

        let png = folder.appendingPathComponent("report.png").path
        let screenshot = Process()
        screenshot.executableURL = Self.root.appendingPathComponent("tools/screenshot-report")
        screenshot.arguments = [out, png, "--height", "1600"]
        let output = Pipe()
        screenshot.standardOutput = output
        try screenshot.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        screenshot.waitUntilExit()
        #expect(screenshot.terminationStatus == 0, "screenshot-report: \(said)")
        if said.contains("skipped: chromium not found") { return }
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.count > 10_000 && image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("bad input: no input 64, missing trace 66, malformed trace 65, malformed sweep 65, unwritable --out 73")
    func badInput() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("r.html").path
        let bad = folder.appendingPathComponent("bad.json").path
        try "[{\"ph\":\"X\"} oops".write(toFile: bad, atomically: true, encoding: .utf8)
        let cases: [([String], Int32)] = [
            (["report", "--out", out], 64),
            (["report", "/nonexistent/trace.json", "--out", out], 66),
            (["report", bad, "--out", out], 65),
            (["report", "--sweep", bad, "--out", out], 65),
            (["report", "--sweep", "/nonexistent/sweep.json", "--out", out], 66),
            (["report", bad, "--out", "/nonexistent/folder/r.html"], 73),
        ]
        for (arguments, status) in cases {
            let run = try CLIRunner.run(arguments)
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: out + ".tmp"))
        }
    }

    @Test("advise --report: the page of the verdict, its spread and the kept traces' timelines; JSON stays alone on stdout")
    func adviseReport() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("advise.html").path
        let run = try CLIRunner.run([
            "advise", "--workload", "sleep", "--tasks", "6", "--sleep-ms", "5", "--strategies", "sequential,threads",
            "--repeat", "5", "--format", "json", "--report", out,
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.json != nil, "stdout: \(run.stdout)")
        #expect(run.stderr.contains("report: \(out)"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("<section class=\"verdicts\">") && html.contains("The tests behind the verdict"))
        #expect(html.contains("<g class=\"whisker\">") && html.contains(" n=5</tspan>"))
        // Each strategy's last trace, read before advise removed its temporary folder.
        #expect(html.components(separatedBy: "<svg class=\"chart timeline\"").count - 1 == 2)
        #expect(html.contains("5 counted runs per strategy (--repeat)"))
    }

    @Test("advise --report to a path that cannot be written: 73 at once, before any run")
    func adviseReportUnwritable() throws {
        let run = try CLIRunner.run([
            "advise", "--workload", "sleep", "--tasks", "2", "--sleep-ms", "1", "--strategies", "sequential,threads",
            "--repeat", "5", "--report", "/nonexistent/folder/advise.html",
        ])
        #expect(run.status == 73, "stderr: \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "\(run.stderr)")
    }

    @Test("help names the options and exit codes")
    func help() throws {
        let help = try CLIRunner.run(["report", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--sweep") && help.stdout.contains("--out") && help.stdout.contains("--title"))
        #expect(help.stdout.contains("64") && help.stdout.contains("73"))
    }
}
