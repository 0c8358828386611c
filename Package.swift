// swift-tools-version: 6.0
//
// conctrace: which concurrency strategy should this work use, and what does switching cost?
//
// Targets by role (docs/architecture.md draws the graph and says where each kind of change goes):
//   ConcTraceSystem      the OS layer: threads, errno errors, the one lock, file descriptors, output files,
//                        temporary files, process spawn, signals, clock, peak memory. Nothing else has syscalls
//                        of this kind.
//   ConcTraceRecorder    events, per-thread lanes, the drain, sinks. Depends on System alone.
//   ConcTraceFormat      the Chrome trace contract's vocabulary, with no C: TraceValue, JSON text, RunMetadata,
//                        event names.
//   ConcTraceWriter      Recorder events to Chrome JSON (the converter), the trace file, the event log of worker
//                        processes and their merge.
//   ConcTraceReader      reads Chrome traces with json-c. Never the recorder.
//   ConcTraceExecutors   the instrumented executors (event loop, worker pool, timers, reactor protocols). No curl,
//                        no NIO.
//   ConcTraceWorkloads   cpu, sleep and download (through libcurl).
//   ConcTraceStrategies  sequential, threads, async, eventloop, processes: how tasks run, recorded as they go.
//   ConcTraceSiteServer  the embedded site server and the trace file server (SwiftNIO HTTP/1.1).
//   ConcTraceAnalysis    metrics of a trace (through the reader), sweep results, advice. Never the recorder.
//   ConcTraceReport      the HTML report: inline SVG charts from analyses and sweep results.
//   CConcTraceHooks      the Swift runtime's executor hooks and task accessors (looked up at run time), and the
//                        interposed swift_task_create that names a program's tasks.
//   ConcTraceSession     the tracing runtime and its public API: a trace session inside a program, the global
//                        executor replaced by the instrumented pool, recorded pools and loops, thread work.
//   CConcTracePreload    what `conctrace record` preloads: takes the hooks before main, loads the runtime at the
//                        first job (a shared library with no Swift in it).
//   ConcTraceLab         the application layer: a traced run and its summary, the interrupt session, worker
//                        processes' requests, child-run measurement, sweeps and advice.
//   conctrace            the CLI: declares commands and options, calls the Lab, prints, maps errors to exit codes.
// Linux only (epoll, timerfd, /proc).
import PackageDescription

let package = Package(
    name: "conctrace",
    products: [
        .executable(name: "conctrace", targets: ["conctrace"]),
        // Record a program's own tasks: the recorder, the trace writer, the instrumented executors and the trace
        // session API (import ConcTraceSession). Links neither libcurl, json-c nor SwiftNIO.
        .library(
            name: "ConcTrace",
            targets: ["ConcTraceRecorder", "ConcTraceWriter", "ConcTraceExecutors", "ConcTraceSession"]
        ),
        // conctrace record's two shared libraries, found next to the conctrace binary: the preload library (C only,
        // safe in any program) and the tracing runtime it loads into a Swift program.
        .library(name: "ConcTracePreload", type: .dynamic, targets: ["CConcTracePreload"]),
        .library(name: "ConcTraceRecordRuntime", type: .dynamic, targets: ["ConcTraceSession"]),
        // Read and analyze traces: the reader, the metrics and the HTML report.
        .library(name: "ConcTraceAnalysis", targets: ["ConcTraceReader", "ConcTraceAnalysis", "ConcTraceReport"]),
    ],
    dependencies: [
        // The CLI: subcommands, typed options, help and usage errors.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Deque for ready queues: amortized O(1) at both ends, no index shuffling.
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // The site server: the well-kept HTTP/1.1 server stack for Swift on Linux (event loops, back-pressure).
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        // Percentiles without keeping every sample: the analyzer's latency and delay distributions.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CJSONC",
            pkgConfig: "json-c",
            providers: [.apt(["libjson-c-dev"])]
        ),
        // Linux calls the Glibc module does not export (epoll, eventfd, timerfd, affinity, prctl).
        .systemLibrary(name: "CLinux"),
        .target(name: "ConcTraceSystem", dependencies: ["CLinux"]),
        .target(name: "ConcTraceRecorder", dependencies: ["ConcTraceSystem"]),
        .target(name: "ConcTraceFormat"),
        .target(name: "ConcTraceWriter", dependencies: ["ConcTraceRecorder", "ConcTraceFormat", "ConcTraceSystem"]),
        .target(name: "ConcTraceReader", dependencies: ["ConcTraceFormat", "ConcTraceSystem", "CJSONC"]),
        .target(
            name: "ConcTraceExecutors",
            dependencies: [
                "ConcTraceRecorder", "ConcTraceSystem", "CLinux",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "CConcTraceHooks"),
        .target(
            name: "ConcTraceSession",
            dependencies: [
                "ConcTraceExecutors", "ConcTraceRecorder", "ConcTraceWriter", "ConcTraceFormat", "ConcTraceSystem",
                "CConcTraceHooks",
            ]
        ),
        .target(name: "CConcTracePreload", dependencies: ["CConcTraceHooks"]),
        // The example package's program (Examples/TracedService), built here too so the tests run it.
        .executableTarget(
            name: "TracedServiceExample",
            dependencies: ["ConcTraceSession"],
            path: "Examples/TracedService/Sources/TracedService"
        ),
        .target(name: "ConcTraceWorkloads", dependencies: ["ConcTraceExecutors", "ConcTraceRecorder", "CCurl"]),
        .target(
            name: "ConcTraceStrategies",
            dependencies: ["ConcTraceWorkloads", "ConcTraceExecutors", "ConcTraceRecorder", "ConcTraceSystem"]
        ),
        .target(
            name: "ConcTraceSiteServer",
            dependencies: [
                "ConcTraceSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ConcTraceAnalysis",
            dependencies: [
                "ConcTraceReader", "ConcTraceFormat", "ConcTraceSystem", "CJSONC",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The HTML report (conctrace report): inline SVG charts from traces and sweep results.
        .target(name: "ConcTraceReport", dependencies: ["ConcTraceAnalysis", "ConcTraceReader", "ConcTraceFormat"]),
        .target(
            name: "ConcTraceLab",
            dependencies: [
                "ConcTraceSystem", "ConcTraceRecorder", "ConcTraceFormat", "ConcTraceWriter", "ConcTraceReader",
                "ConcTraceWorkloads", "ConcTraceStrategies", "ConcTraceSiteServer", "ConcTraceAnalysis",
                "ConcTraceReport",
            ]
        ),
        .executableTarget(
            name: "conctrace",
            dependencies: [
                // The Lab does the work; the others lend their option types (workload, strategy, report format).
                "ConcTraceLab", "ConcTraceAnalysis", "ConcTraceSiteServer", "ConcTraceStrategies", "ConcTraceWorkloads",
                "ConcTraceFormat", "ConcTraceSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ConcTraceSystemTests", dependencies: ["ConcTraceSystem"]),
        .testTarget(name: "ConcTraceRecorderTests", dependencies: ["ConcTraceRecorder", "ConcTraceSystem"]),
        .testTarget(name: "ConcTraceFormatTests", dependencies: ["ConcTraceFormat"]),
        .testTarget(
            name: "ConcTraceWriterTests",
            // The reader reads back what the writer wrote.
            dependencies: ["ConcTraceWriter", "ConcTraceReader", "ConcTraceRecorder", "ConcTraceFormat", "ConcTraceSystem"]
        ),
        .testTarget(name: "ConcTraceReaderTests", dependencies: ["ConcTraceReader", "ConcTraceFormat", "ConcTraceSystem"]),
        .testTarget(
            name: "ConcTraceExecutorsTests",
            dependencies: ["ConcTraceExecutors", "ConcTraceRecorder", "ConcTraceSystem"]
        ),
        // The download tests fetch from a real site server on 127.0.0.1.
        .testTarget(
            name: "ConcTraceWorkloadsTests",
            dependencies: ["ConcTraceWorkloads", "ConcTraceExecutors", "ConcTraceSiteServer", "ConcTraceSystem"]
        ),
        .testTarget(
            name: "ConcTraceStrategiesTests",
            dependencies: [
                "ConcTraceStrategies", "ConcTraceWorkloads", "ConcTraceExecutors", "ConcTraceRecorder",
                "ConcTraceWriter", "ConcTraceReader", "ConcTraceSiteServer", "ConcTraceSystem",
            ]
        ),
        .testTarget(name: "ConcTraceSiteServerTests", dependencies: ["ConcTraceSiteServer", "ConcTraceSystem", "CCurl"]),
        .testTarget(
            name: "ConcTraceAnalysisTests",
            dependencies: ["ConcTraceAnalysis", "ConcTraceReader", "ConcTraceFormat"]
        ),
        .testTarget(
            name: "ConcTraceReportTests",
            dependencies: ["ConcTraceReport", "ConcTraceAnalysis", "ConcTraceReader", "ConcTraceFormat"]
        ),
        .testTarget(
            name: "ConcTraceLabTests",
            dependencies: [
                "ConcTraceLab", "ConcTraceStrategies", "ConcTraceWorkloads", "ConcTraceWriter", "ConcTraceReader",
                "ConcTraceAnalysis", "ConcTraceFormat", "ConcTraceSystem",
            ]
        ),
        .testTarget(name: "conctraceTests", dependencies: ["conctrace", "ConcTraceReader", "ConcTraceFormat"]),
        .testTarget(
            name: "ConcTraceSessionTests",
            dependencies: ["ConcTraceSession", "ConcTraceReader", "TracedServiceExample"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
