import Foundation
import MoECore
import Testing

/// How a run ends when the server is slow or goes away, run like a user: the real cause, a non-zero exit, every
/// file written.
@Suite struct EvaluationFailureEndToEndTests {
    let deploy = Binaries.fixture("deploy/qwen3-30b-a3b-h100.json")
    let gsm8k = Binaries.fixture("datasets/gsm8k_sample.jsonl")

    /// Starts moecap-eval against `url`, its stderr collected into a file.
    func start(_ url: String, _ out: String, _ extra: [String]) throws -> (Process, String) {
        let p = Process()
        p.executableURL = Binaries.dir.appendingPathComponent("moecap-eval")
        p.arguments =
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url", url,
                "--output-dir", out, "--quiet",
            ] + extra
        let errPath = out + ".stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        return (p, errPath)
    }

    /// Waits for `p` to exit, at most `seconds`; returns whether it did.
    func exited(_ p: Process, within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return !p.isRunning
    }

    @Test func ctrlCEndsAWarmUpWaitingForAColdStart() async throws {
        // A ten-minute simulated cold start at real time: the warm-up would wait that long.
        let server = try Binaries.Server(["--speedup", "1", "--cold-start", "600", "--deploy", deploy])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (p, errPath) = try start(server.url, out, ["--num-samples", "3"])
        try await Task.sleep(for: .seconds(1))
        #expect(p.isRunning)
        p.interrupt()
        let done = try await exited(p, within: 15)
        if !done { p.terminate() }
        #expect(done, "moecap-eval did not stop within 15 s of Ctrl-C during the warm-up")
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        #expect(stderr.contains("interrupted"), "\(stderr)")
        #expect(!stderr.contains("No batch data collected"))
        let outputs = try #require(try Binaries.json(out + "/inference_outputs.json").arrayValue)
        #expect(outputs.count == 3 && outputs.allSatisfy { $0["error"] == "not sent" })
    }

    @Test func serverKilledMidRunIsNamedAsSuch() async throws {
        let server = try Binaries.Server(["--speedup", "5", "--deploy", deploy])
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (p, errPath) = try start(server.url, out, ["--max-tokens", "400", "--concurrency", "2", "--retries", "0"])
        // Let a few answers arrive, then the server dies.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let partial = (try? String(contentsOfFile: out + "/inference_outputs.partial.jsonl", encoding: .utf8)) ?? ""
            if partial.split(separator: "\n").count >= 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.process.interrupt()
        server.stop()
        let done = try await exited(p, within: 60)
        if !done { p.terminate() }
        #expect(done)
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        #expect(stderr.contains("The server stopped answering"), "\(stderr)")
        #expect(!stderr.contains("No batch data collected"))
        let outputs = try #require(try Binaries.json(out + "/inference_outputs.json").arrayValue)
        #expect(outputs.filter { $0["response"]?["object"] == "chat.completion" }.count >= 2)
        #expect(FileManager.default.fileExists(atPath: out + "/batch_data.json"))
    }
}
