/// Builds Chrome trace text line by line, with times given in nanoseconds (written as microseconds with three
/// decimals, as conctrace writes them).
struct TraceText {
    var lines: [String] = []
    var pid = 7

    /// `ns` as conctrace writes a time: microseconds with three decimals.
    static func micros(_ ns: Int) -> String {
        let fraction = String(ns % 1000)
        return "\(ns / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    mutating func raw(_ line: String) { lines.append(line) }

    mutating func processName(_ name: String) {
        raw(#"{"ph":"M","name":"process_name","pid":\#(pid),"args":{"name":"\#(name)"}}"#)
    }

    mutating func threadName(_ tid: Int, _ name: String) {
        raw(#"{"ph":"M","name":"thread_name","pid":\#(pid),"tid":\#(tid),"args":{"name":"\#(name)"}}"#)
    }

    mutating func run(_ args: String) {
        raw(#"{"ph":"i","name":"conctrace.run","s":"p","pid":\#(pid),"tid":1,"ts":0.000,"args":{\#(args)}}"#)
    }

    mutating func stats(at ns: Int, _ args: String) {
        raw(#"{"ph":"i","name":"conctrace.stats","s":"p","pid":\#(pid),"tid":1,"ts":\#(Self.micros(ns)),"args":{\#(args)}}"#)
    }

    /// A running slice of `task` on worker `tid`.
    mutating func slice(_ name: String, task: Int, tid: Int, from start: Int, to end: Int) {
        raw(#"{"ph":"X","name":"\#(name)","cat":"running","pid":\#(pid),"tid":\#(tid),"ts":\#(Self.micros(start)),"dur":\#(Self.micros(end - start)),"args":{"task":\#(task)}}"#)
    }

    /// A `b`/`e` pair on task `task`'s async track (a state span, or with `args` the task's life span).
    mutating func span(_ name: String, task: Int, from start: Int, to end: Int, args: String? = nil, tid: Int = 1) {
        let argsText = args.map { #","args":{\#($0)}"# } ?? ""
        raw(#"{"ph":"b","cat":"task","name":"\#(name)","id2":{"local":\#(task)},"pid":\#(pid),"tid":\#(tid),"ts":\#(Self.micros(start))\#(argsText)}"#)
        raw(#"{"ph":"e","cat":"task","name":"\#(name)","id2":{"local":\#(task)},"pid":\#(pid),"tid":\#(tid),"ts":\#(Self.micros(end))}"#)
    }

    mutating func inFlight(at ns: Int, _ value: Int, ready: Int = 0) {
        raw(#"{"ph":"C","name":"tasks","pid":\#(pid),"tid":1,"ts":\#(Self.micros(ns)),"args":{"in_flight":\#(value),"ready":\#(ready)}}"#)
    }

    mutating func osSwitches(_ worker: String, tid: Int, at ns: Int, voluntary: Int, involuntary: Int) {
        raw(#"{"ph":"C","name":"os switches (\#(worker))","pid":\#(pid),"tid":\#(tid),"ts":\#(Self.micros(ns)),"args":{"voluntary":\#(voluntary),"involuntary":\#(involuntary)}}"#)
    }

    /// The Array form, closed.
    var arrayForm: String { "[\n" + lines.joined(separator: ",\n") + "\n]\n" }

    /// The Array form as conctrace leaves it when killed: no closing bracket.
    var cutForm: String { "[\n" + lines.joined(separator: ",\n") + ",\n" }

    /// The Object form, with metadata after the events.
    var objectForm: String {
        #"{"displayTimeUnit":"ns","traceEvents":[\#n"# + lines.joined(separator: ",\n")
            + #"],"metadata":{"source":"test"}}"#
    }

    var bytes: [UInt8] { Array(arrayForm.utf8) }
}

extension TraceText {
    /// A run with known answers for every metric (times in ns; docs/metrics.md's definitions worked by hand in
    /// KnownAnswerTests).
    ///
    /// ```
    /// root 1 (main):  ready 0-10, running tid 1 10-100, waiting (child) 100-600, ready 600-610, running tid 1 610-620
    /// task 2:         ready 20-100, running tid 2 100-300, waiting (timer) 300-500, ready 500-520, running tid 2 520-600: done
    /// task 3:         ready 40-100, running tid 3 100-400: failed
    /// task 4:         ready 60-310, running tid 2 310-500: done
    /// ```
    static var knownRun: TraceText {
        var trace = TraceText()
        trace.processName("conctrace sleep/threads")
        trace.run(#""tool":"conctrace","version":"0.1.0","workload":"sleep","strategy":"threads","tasks":3,"workers":2,"steps":1,"sleep_ms":0.0002,"ns_per_event":24.0,"command":"conctrace run | tee""#)
        trace.threadName(1, "main")
        trace.threadName(2, "thread 1")
        trace.threadName(3, "thread 2")
        trace.inFlight(at: 0, 1)
        trace.span("ready", task: 1, from: 0, to: 10)
        trace.inFlight(at: 20, 2, ready: 1)
        trace.inFlight(at: 40, 3, ready: 2)
        trace.inFlight(at: 60, 4, ready: 3)
        trace.slice("main", task: 1, tid: 1, from: 10, to: 100)
        trace.span("running", task: 1, from: 10, to: 100)
        trace.span("ready", task: 2, from: 20, to: 100)
        trace.span("ready", task: 3, from: 40, to: 100)
        trace.raw(#"{"ph":"s","cat":"spawn","name":"spawn","id":1,"pid":7,"tid":1,"ts":0.020}"#)
        trace.raw(#"{"ph":"f","cat":"spawn","name":"spawn","id":1,"bp":"e","pid":7,"tid":2,"ts":0.100}"#)
        trace.slice("sleep 0", task: 2, tid: 2, from: 100, to: 300)
        trace.span("running", task: 2, from: 100, to: 300)
        trace.span("ready", task: 4, from: 60, to: 310)
        // Out of time order on purpose: the first and last samples are found by their timestamps.
        trace.osSwitches("thread 1", tid: 2, at: 600, voluntary: 5, involuntary: 2)
        trace.osSwitches("thread 1", tid: 2, at: 100, voluntary: 1, involuntary: 0)
        trace.stats(at: 300, #""events":20,"dropped":0,"lost":0,"ns_per_event":24.0,"workers":3,"final":false"#)
        trace.slice("sleep 1", task: 3, tid: 3, from: 100, to: 400)
        trace.span("running", task: 3, from: 100, to: 400)
        trace.span("sleep 1", task: 3, from: 40, to: 400, args: #""task":3,"parent":1,"state":"failed","error":"boom""#)
        trace.inFlight(at: 400, 3)
        trace.slice("sleep 2", task: 4, tid: 2, from: 310, to: 500)
        trace.span("running", task: 4, from: 310, to: 500)
        trace.span("sleep 2", task: 4, from: 60, to: 500, args: #""task":4,"parent":1,"state":"done","bytes":500"#)
        trace.inFlight(at: 500, 2)
        trace.span("waiting (timer)", task: 2, from: 300, to: 500, args: #""reason":"timer""#)
        trace.span("ready", task: 2, from: 500, to: 520)
        trace.slice("sleep 0", task: 2, tid: 2, from: 520, to: 600)
        trace.span("running", task: 2, from: 520, to: 600)
        trace.span("sleep 0", task: 2, from: 20, to: 600, args: #""task":2,"parent":1,"state":"done","bytes":1000"#)
        trace.inFlight(at: 600, 1, ready: 1)
        trace.span("waiting (child)", task: 1, from: 100, to: 600, args: #""reason":"child""#)
        trace.span("ready", task: 1, from: 600, to: 610)
        trace.slice("main", task: 1, tid: 1, from: 610, to: 620)
        trace.span("running", task: 1, from: 610, to: 620)
        trace.span("main", task: 1, from: 0, to: 620, args: #""task":1,"parent":0,"state":"done""#)
        trace.inFlight(at: 620, 0)
        trace.osSwitches("thread 2", tid: 3, at: 100, voluntary: 0, involuntary: 0)
        trace.osSwitches("thread 2", tid: 3, at: 400, voluntary: 3, involuntary: 1)
        trace.stats(at: 620, #""events":40,"dropped":2,"lost":0,"ns_per_event":25.0,"workers":3,"final":true"#)
        return trace
    }
}
