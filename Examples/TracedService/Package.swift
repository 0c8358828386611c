// swift-tools-version: 6.0
//
// A program that records its own tasks with conctrace's library API (the ConcTrace product), depending on conctrace
// by path. Build and run it from this folder:
//
//   swift run TracedService traces/service.json
//
// then open traces/service.json in https://ui.perfetto.dev, or run `conctrace analyze traces/service.json`.
import PackageDescription

let package = Package(
    name: "TracedService",
    dependencies: [
        .package(name: "conctrace", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TracedService",
            dependencies: [.product(name: "ConcTrace", package: "conctrace")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
