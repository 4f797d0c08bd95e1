import Foundation
import MoECore
import Synchronization
import Testing

/// Runs the built executables like a user does.
enum Binaries {
    /// The folder of the test bundle, where SwiftPM also puts the executables.
    static let dir: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.lastPathComponent.hasSuffix(".xctest") { url = url.deletingLastPathComponent() }
        return url
    }()

    /// The package root (for fixtures).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func fixture(_ path: String) -> String { root.appendingPathComponent("Fixtures/" + path).path }

    /// A copy of fixture `path` in `directory` with each `(old, new)` text replaced; returns the copy's path.
    static func fixture(_ path: String, replacing edits: [(String, String)], in directory: String) throws -> String {
        var text = try String(contentsOfFile: fixture(path), encoding: .utf8)
        for (old, new) in edits {
            guard text.contains(old) else { throw POSIXError(.EINVAL) }
            text = text.replacingOccurrences(of: old, with: new)
        }
        let copy = (directory as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        return copy
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `name args` to completion (stdin from `input`).
    static func run(_ name: String, _ args: [String], input: String? = nil, timeout: Double = 120) throws -> Result {
        let p = Process()
        p.executableURL = name.hasPrefix("/") ? URL(fileURLWithPath: name) : dir.appendingPathComponent(name)
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = inPipe
        try p.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
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
        while p.isRunning, Date() < deadline { usleep(10_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        group.wait()
        return Result(
            status: p.terminationStatus,
            stdout: String(decoding: collected.withLock { $0[1] ?? Data() }, as: UTF8.self),
            stderr: String(decoding: collected.withLock { $0[2] ?? Data() }, as: UTF8.self))
    }

    /// ``run(_:_:input:timeout:)`` on a thread of its own, so that an async test waiting for a binary does not
    /// hold one of the few threads of Swift's cooperative pool (on a two-core machine, two blocked tests would
    /// stall every other async test of the process).
    static func run(_ name: String, _ args: [String], input: String? = nil, timeout: Double = 120) async throws
        -> Result
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try run(name, args, input: input, timeout: timeout) })
            }
        }
    }

    /// A fake-sllm server on a free port, stopped by `stop()`.
    final class Server: @unchecked Sendable {
        let process = Process()
        let url: String
        private let errPipe = Pipe()

        init(_ args: [String]) throws {
            process.executableURL = Binaries.dir.appendingPathComponent("fake-sllm")
            process.arguments = ["serve", "--port", "0"] + args
            let out = Pipe()
            process.standardOutput = out
            process.standardError = errPipe
            try process.run()
            // The first stdout line says where it listens.
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let d = out.fileHandleForReading.availableData
                if d.isEmpty { break }
                line += d
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let r = text.range(of: "listening on ") else {
                throw POSIXError(.ECONNREFUSED)
            }
            url = String(text[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// SIGTERM; returns the exit status.
        @discardableResult
        func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }

        deinit { if process.isRunning { process.terminate() } }
    }

    static func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("moecap-e2e-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func json(_ path: String) throws -> JSONValue {
        let data = try #require(FileManager.default.contents(atPath: path))
        return try JSONValue.parse([UInt8](data))
    }
}
