// swift-tools-version: 6.0
//
// conctrace: which concurrency strategy should this work use, and what does switching cost?
//
// Targets by role (see docs/architecture in README):
//   ConcTraceRecorder   event model, clock, per-thread lanes, drain loop. No C library, no CLI.
//   ConcTraceFormat     Chrome Trace Event JSON: the writer (a recorder sink) and the streaming reader (json-c).
//   ConcTraceWorkloads  cpu, sleep (and download, through libcurl).
//   ConcTraceStrategies sequential, threads: how tasks are run on workers, recorded as they go.
//   ConcTraceSiteServer the embedded site server (SwiftNIO HTTP/1.1) the download workload fetches from.
//   ConcTraceAnalysis   reads traces (through ConcTraceFormat's reader) and computes metrics; never the recorder.
//   conctrace           the CLI: wires the others together.
import PackageDescription

let package = Package(
    name: "conctrace",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conctrace", targets: ["conctrace"]),
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
        // Linux calls the Glibc module does not export (epoll, eventfd, timerfd, affinity), for the event loop.
        .systemLibrary(name: "CLinux"),
        .target(name: "ConcTraceRecorder"),
        .target(name: "ConcTraceFormat", dependencies: ["ConcTraceRecorder", "CJSONC"]),
        .target(name: "ConcTraceWorkloads", dependencies: ["ConcTraceRecorder", "CCurl"]),
        .target(
            name: "ConcTraceStrategies",
            dependencies: [
                "ConcTraceRecorder", "ConcTraceWorkloads", "CLinux",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "ConcTraceSiteServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ConcTraceAnalysis",
            dependencies: ["ConcTraceFormat", "CJSONC", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The HTML report (conctrace report): inline SVG charts from traces and sweep results.
        .target(name: "ConcTraceReport", dependencies: ["ConcTraceAnalysis", "ConcTraceFormat"]),
        .executableTarget(
            name: "conctrace",
            dependencies: [
                "ConcTraceRecorder", "ConcTraceFormat", "ConcTraceWorkloads", "ConcTraceStrategies", "CCurl", "CJSONC",
                "ConcTraceSiteServer", "ConcTraceAnalysis", "ConcTraceReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ConcTraceRecorderTests", dependencies: ["ConcTraceRecorder"]),
        .testTarget(name: "ConcTraceFormatTests", dependencies: ["ConcTraceFormat", "ConcTraceRecorder"]),
        // The download tests fetch from a real site server on 127.0.0.1.
        .testTarget(name: "ConcTraceWorkloadsTests", dependencies: ["ConcTraceWorkloads", "ConcTraceSiteServer"]),
        .testTarget(
            name: "ConcTraceStrategiesTests",
            dependencies: ["ConcTraceStrategies", "ConcTraceFormat", "ConcTraceSiteServer"]
        ),
        .testTarget(name: "ConcTraceSiteServerTests", dependencies: ["ConcTraceSiteServer", "CCurl"]),
        .testTarget(name: "ConcTraceAnalysisTests", dependencies: ["ConcTraceAnalysis", "ConcTraceFormat"]),
        .testTarget(name: "ConcTraceReportTests", dependencies: ["ConcTraceReport", "ConcTraceAnalysis", "ConcTraceFormat"]),
        .testTarget(name: "conctraceTests", dependencies: ["conctrace", "ConcTraceFormat"]),
    ],
    swiftLanguageModes: [.v6]
)
