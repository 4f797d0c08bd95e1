import Foundation
import Synchronization

/// Runs the built executables and third-party tools like a user does (docs/openai-mode.md).
enum Tool {
    /// The package root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The folder of the test bundle, where SwiftPM also puts the executables.
    static let binaries: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.lastPathComponent.hasSuffix(".xctest") { url = url.deletingLastPathComponent() }
        return url
    }()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Runs `executable args` in the package root to completion, killing it after `timeout` seconds.
    static func run(
        _ executable: String, _ args: [String], environment: [String: String] = [:], timeout: Double = 120
    ) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        let collected = Mutex<[Int: Data]>([:])
        let group = DispatchGroup()
        for (key, pipe) in [(1, out), (2, err)] {
            group.enter()
            DispatchQueue.global().async {
                let d = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.withLock { $0[key] = d }
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning, Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            usleep(500_000)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        p.waitUntilExit()
        group.wait()
        return Result(
            status: p.terminationStatus,
            stdout: String(decoding: collected.withLock { $0[1] ?? Data() }, as: UTF8.self),
            stderr: String(decoding: collected.withLock { $0[2] ?? Data() }, as: UTF8.self),
            seconds: Date().timeIntervalSince(start))
    }

    /// Runs one of the package's built executables.
    static func built(_ name: String, _ args: [String], timeout: Double = 120) throws -> Result {
        try run(binaries.appendingPathComponent(name).path, args, timeout: timeout)
    }

    /// The first executable named `name` on `PATH`.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sllm-eco-\(UUID().uuidString)")
            .path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
