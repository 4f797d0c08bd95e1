import Foundation
import MoECore
import Testing

/// Issue 18, run like a user: the evaluator against a keyed server, an empty key refused, the connection cap
/// lowered to the descriptor limit with a start-up line.
@Suite struct ReliabilityEndToEndTests {
    let deploy = Binaries.fixture("deploy/qwen3-30b-a3b-h100.json")
    let gsm8k = Binaries.fixture("datasets/gsm8k_sample.jsonl")

    @Test func theEvaluatorRunsAgainstAServerWithAnAPIKey() async throws {
        let server = try Binaries.Server(["--no-wait", "--api-key", "s3cret", "--deploy", deploy])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let args = [
            "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url", server.url,
            "--output-dir", out, "--num-samples", "2", "--quiet",
        ]
        let keyed = try await Binaries.run("moecap-eval", args + ["--api-key", "s3cret"])
        #expect(keyed.status == 0, "\(keyed.stderr)")
        let check = try await Binaries.run(
            "moecap-eval",
            ["check", "--server-url", server.url, "--model", "Qwen/Qwen3-30B-A3B", "--api-key", "s3cret"])
        #expect(check.status == 0, "\(check.stdout)")
        let unkeyed = try await Binaries.run("moecap-eval", args)
        #expect(unkeyed.status != 0)
        #expect(unkeyed.stderr.contains("Unauthorized"), "\(unkeyed.stderr)")
    }

    @Test func anEmptyAPIKeyIsRefused() async throws {
        let serve = try await Binaries.run("fake-sllm", ["serve", "--port", "0", "--api-key", ""], timeout: 20)
        #expect(serve.status != 0 && serve.stderr.contains("--api-key must not be empty"), "\(serve.stderr)")
        let eval = try await Binaries.run(
            "moecap-eval", ["check", "--server-url", "http://127.0.0.1:1", "--model", "m", "--api-key", ""])
        #expect(eval.status != 0 && eval.stderr.contains("--api-key must not be empty"), "\(eval.stderr)")
    }

    /// Under `ulimit -n 4096` the default cap (8,192) cannot fit: it is lowered, and the start-up log says so.
    @Test func theConnectionCapFitsUlimit() async throws {
        let bin = Binaries.dir.appendingPathComponent("fake-sllm").path
        let r = try await Binaries.run(
            "/bin/sh", ["-c", "ulimit -n 4096 && exec timeout -s INT 5 '\(bin)' serve --port 0 --no-wait"],
            timeout: 30)
        #expect(r.stderr.contains("--max-connections 8192 lowered to 3360"), "\(r.stderr)")
        #expect(r.stdout.contains("listening on"))
    }
}
