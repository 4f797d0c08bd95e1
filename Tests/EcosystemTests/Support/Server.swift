import Foundation

/// A fake-sllm server on a free port, run from the built binary and stopped by ``stop()``.
final class Server: @unchecked Sendable {
    let process = Process()
    let url: String
    private let logDir: String
    private var log: String { logDir + "/server.log" }

    init(_ args: [String]) throws {
        process.executableURL = Tool.binaries.appendingPathComponent("fake-sllm")
        process.arguments = ["serve", "--port", "0"] + args
        process.currentDirectoryURL = Tool.root
        logDir = Tool.tempDir()
        let log = logDir + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        // The first stdout line says where it listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            line += d
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let r = text.range(of: "listening on ") else { throw POSIXError(.ECONNREFUSED) }
        url = String(text[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What the server logged on stderr so far.
    var stderr: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// SIGTERM; returns the exit status. The log goes with it.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logDir)
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}
