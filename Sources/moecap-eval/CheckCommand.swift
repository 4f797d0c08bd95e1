import ArgumentParser
import Evaluator
import EvaluatorClient
import Foundation
import MoECore

/// `moecap-eval check`: what a run against this server would meet, before sending any dataset.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a server before a run: reachable, model registered, recording supported, instance, stream.",
        discussion: """
            Prints one line per check and a verdict; exits non-zero when a run with these settings would fail. \
            Sends two one-token chat requests (which cold-start a model scaled to zero, as a run's warm-up does) \
            and only reads the recording status: no dataset is sent and no recording is started. With --dataset, \
            the dataset's prompts are compared with the deployment's max_model_len.
            """)

    @Option(help: "ServerlessLLM server URL.") var serverUrl = "http://127.0.0.1:8500"
    @Option(help: "Model name (must match the deployed model).") var model: String
    @Flag(help: "The run will stream (--stream): a server that rejects `stream` fails the check.") var stream = false
    @Flag(help: "The run will record the expert distribution: a backend without it fails the check.")
    var enableExpertRecording = false
    @Option(help: "Per-request timeout in seconds (the chat check waits for a cold start).") var timeout = 300.0
    @Option(
        help:
            "Dataset the run will send (gsm8k, numinamath or longbench_v2): its prompts are compared with max_model_len."
    )
    var dataset: String?
    @Option(help: "Local dataset file (JSONL or JSON rows in the dataset's schema) instead of the Hugging Face Hub.")
    var dataFile: String?
    @Option(help: "Number of samples the run will send (all when left out).") var numSamples: Int?
    @Option(help: "The deployment's max_model_len, when the server does not list it (a real ServerlessLLM).")
    var maxModelLen: Int?

    func validate() throws {
        guard serverUrl.hasPrefix("http://") || serverUrl.hasPrefix("https://") else {
            throw ValidationError("--server-url must start with http:// or https://")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be > 0") }
        guard (numSamples ?? 1) >= 1, (maxModelLen ?? 1) >= 1 else {
            throw ValidationError("--num-samples ≥ 1, --max-model-len ≥ 1")
        }
        guard dataFile == nil || dataset != nil else { throw ValidationError("--data-file needs --dataset") }
        if let dataset {
            do { _ = try DatasetKind(parsing: dataset) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        let client: HTTPClient
        do { client = try HTTPClient() } catch { throw RunFailure("cannot start the HTTP client: \(error)") }
        defer { client.shutdown() }
        var promptTokens: [Int]?
        if let dataset {
            let kind: DatasetKind
            do { kind = try DatasetKind(parsing: dataset) } catch { throw RunFailure("\(error)") }
            var config = EvaluationConfig(model: model, dataset: kind)
            config.dataFile = dataFile
            config.numSamples = numSamples
            let data: Dataset
            do { data = try await DatasetSourcing.load(config) } catch { throw RunFailure("\(error)") }
            promptTokens = data.items.map { PromptLength.estimate(config.promptStyle.messages(for: $0, in: data)) }
        }
        let check = ServerCheck(
            transport: client, serverURL: serverUrl, model: model, stream: stream,
            expertRecording: enableExpertRecording, timeout: .seconds(timeout), promptTokens: promptTokens,
            maxModelLen: maxModelLen)
        let report = await check.run()
        print(report.text)
        if !report.passed { throw ExitCode.failure }
    }
}
