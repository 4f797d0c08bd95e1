import ArgumentParser
import Evaluator
import EvaluatorClient
import Foundation

/// `moecap-eval check`: what a run against this server would meet, before sending any dataset.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a server before a run: reachable, model registered, recording supported, instance, stream.",
        discussion: """
            Prints one line per check and a verdict; exits non-zero when a run with these settings would fail. \
            Sends two one-token chat requests (which cold-start a model scaled to zero, as a run's warm-up does) \
            and only reads the recording status: no dataset is sent and no recording is started.
            """)

    @Option(help: "ServerlessLLM server URL.") var serverUrl = "http://127.0.0.1:8500"
    @Option(help: "Model name (must match the deployed model).") var model: String
    @Flag(help: "The run will stream (--stream): a server that rejects `stream` fails the check.") var stream = false
    @Flag(help: "The run will record the expert distribution: a backend without it fails the check.")
    var enableExpertRecording = false
    @Option(help: "Per-request timeout in seconds (the chat check waits for a cold start).") var timeout = 300.0

    func validate() throws {
        guard serverUrl.hasPrefix("http://") || serverUrl.hasPrefix("https://") else {
            throw ValidationError("--server-url must start with http:// or https://")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be > 0") }
    }

    func run() async throws {
        let client: HTTPClient
        do { client = try HTTPClient() } catch { throw RunFailure("cannot start the HTTP client: \(error)") }
        defer { client.shutdown() }
        let check = ServerCheck(
            transport: client, serverURL: serverUrl, model: model, stream: stream,
            expertRecording: enableExpertRecording, timeout: .seconds(timeout))
        let report = await check.run()
        print(report.text)
        if !report.passed { throw ExitCode.failure }
    }
}
