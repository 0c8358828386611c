import Foundation
import Testing

/// The module graph as SwiftPM describes it: each target's direct dependencies, and each product's targets.
private struct PackageGraph {
    var dependencies: [String: [String]] = [:]
    var products: [String: [String]] = [:]

    /// Reads `swift package describe --type json` of the package this file is in.
    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // A scratch path of its own: the one `swift test` uses is locked while the tests run.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conctrace-describe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--scratch-path", scratch.path, "describe", "--type", "json"]
        process.currentDirectoryURL = root
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swift package describe failed")
        let description = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for target in description["targets"] as? [[String: Any]] ?? [] {
            guard let name = target["name"] as? String else { continue }
            dependencies[name] = (target["target_dependencies"] as? [String] ?? [])
                + (target["product_dependencies"] as? [String] ?? [])
        }
        for product in description["products"] as? [[String: Any]] ?? [] {
            guard let name = product["name"] as? String else { continue }
            products[name] = product["targets"] as? [String] ?? []
        }
    }

    /// Everything `targets` depend on, directly or through others (products of other packages included by name).
    func closure(of targets: [String]) -> Set<String> {
        var seen: Set<String> = []
        var queue = targets
        while let next = queue.popLast() {
            for dependency in dependencies[next] ?? [] where seen.insert(dependency).inserted {
                queue.append(dependency)
            }
        }
        return seen
    }
}

/// docs/architecture.md's boundaries, checked against the package as SwiftPM sees it.
@Suite("module boundaries")
struct ModuleBoundaryTests {
    @Test("the reader and the analyzer never depend on the recorder, directly or through another module")
    func readerWithoutRecorder() throws {
        let graph = try PackageGraph()
        for target in ["ConcTraceReader", "ConcTraceAnalysis", "ConcTraceReport", "ConcTraceFormat"] {
            let closure = graph.closure(of: [target])
            #expect(!closure.contains("ConcTraceRecorder"), "\(target) depends on the recorder: \(closure.sorted())")
            #expect(!closure.contains("ConcTraceWriter"), "\(target) depends on the writer")
        }
    }

    @Test("the ConcTrace product links neither libcurl, json-c nor SwiftNIO")
    func libraryProduct() throws {
        let graph = try PackageGraph()
        let targets = try #require(graph.products["ConcTrace"])
        let closure = graph.closure(of: targets).union(targets)
        for forbidden in ["CCurl", "CJSONC", "ConcTraceWorkloads", "ConcTraceSiteServer"] {
            #expect(!closure.contains(forbidden), "ConcTrace links \(forbidden)")
        }
        #expect(!closure.contains { $0.hasPrefix("NIO") }, "ConcTrace links SwiftNIO: \(closure.sorted())")
    }

    @Test("the recorder depends on the system layer alone, and the executors on no workload, curl or NIO")
    func layers() throws {
        let graph = try PackageGraph()
        #expect(graph.closure(of: ["ConcTraceRecorder"]) == ["ConcTraceSystem", "CLinux"])
        #expect(graph.closure(of: ["ConcTraceFormat"]).isEmpty)
        let executors = graph.closure(of: ["ConcTraceExecutors"])
        #expect(!executors.contains("ConcTraceWorkloads") && !executors.contains("CCurl"))
        #expect(!executors.contains { $0.hasPrefix("NIO") })
    }

    @Test("the CLI reaches C libraries, process spawning and signals only through the Lab and the system layer")
    func thinCLI() throws {
        let graph = try PackageGraph()
        let direct = Set(graph.dependencies["conctrace"] ?? [])
        #expect(direct.isDisjoint(with: ["CCurl", "CJSONC", "CLinux", "ConcTraceRecorder", "ConcTraceWriter",
                                         "ConcTraceReader"]), "the CLI imports \(direct.sorted())")
        // Nor does its source call them.
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/conctrace")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for call in ["posix_spawn", "json_tokener", "json_object", "sigwait", "pthread_sigmask", "sigaction("] {
                #expect(!text.contains(call), "\(file) calls \(call)")
            }
        }
    }
}
