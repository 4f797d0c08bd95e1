import ArgumentParser
import Evaluator
import Foundation
import MoECore

/// `moecap-eval [run]`: the evaluation.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run an evaluation against a server (the default command).")

    // The seed script's flags (same names, meanings and defaults).
    @Option(help: "Model name (must match the deployed model).") var model: String
    @Option(help: "Dataset: gsm8k, numinamath or longbench_v2.") var dataset: String
    @Option(help: "Number of samples to evaluate (default: all).") var numSamples: Int?
    @Option(help: "Number of GPUs used for inference (when the records do not say).") var numGpus = 1
    @Option(help: "ServerlessLLM server URL.") var serverUrl = "http://127.0.0.1:8500"
    @Option(help: "Output directory for results.") var outputDir = "./moecap_results"
    @Option(help: "Maximum tokens per generation.") var maxTokens = 512
    @Option(help: "Sampling temperature.") var temperature = 0.0
    @Flag(help: "Clear previous recordings before starting.") var clearBefore = false

    // Extensions.
    @Option(help: "Local dataset file (JSONL or JSON rows in the dataset's schema) instead of the Hugging Face Hub.")
    var dataFile: String?
    @Option(
        help: """
            Requests in flight at once. The default, 100, is the original script's: it sends every request through \
            one aiohttp session, whose default connector opens at most 100 connections.
            """)
    var concurrency = EvaluationConfig.defaultConcurrency
    @Option(help: "Poisson arrival rate in requests per second (default: no pacing).") var requestRate: Double?
    @Flag(help: "Stream responses (SSE) to measure TTFT and inter-token latency (fake-sllm extension).")
    var stream = false
    @Option(help: "Per-request timeout in seconds.") var timeout = 300.0
    @Option(help: "Retries for connection errors, timeouts and 5xx answers.") var retries = 2
    @Option(help: "GPU for MoE-CAP's peaks (alias like H100 or a MoE-CAP key); default: the records' gpu_raw_type.")
    var gpuType: String?
    @Option(help: "HF config.json of the model, for models outside the built-in catalog.") var modelConfig: String?
    @Option(help: "Weight precision for MoE-CAP's formulas (bfloat16, float16, fp8, int4, …).") var precision: String?
    @Option(help: "Prompt style: sllm (ServerlessLLM's script) or moecap (MoE-CAP's system prompts).")
    var promptStyle = "sllm"
    @Option(help: "Fixed-length mode: 4K-1K, 13K-1K, or INPUTxOUTPUT tokens (e.g. 2048x512).") var fixedLength: String?
    @Option(help: "Seed of the arrival process.") var seed: UInt64 = 0
    @Flag(help: "Record the expert distribution beside the batch recording (saved to expert_distribution.json).")
    var enableExpertRecording = false
    @Option(help: "Expert distribution recording mode: per_token, per_pass, stat or stat_approx.")
    var expertRecordingMode = ExpertRecordingMode.perPass.rawValue
    @Option(help: "Largest chat answer accepted, in bytes (16 MiB); a larger one fails that request.")
    var maxResponseBytes = EvaluationConfig.defaultMaxResponseBytes
    @Flag(help: "No progress or status output.") var quiet = false

    func validate() throws {
        guard numSamples.map({ $0 > 0 }) ?? true else { throw ValidationError("--num-samples must be > 0") }
        guard numGpus >= 1 else { throw ValidationError("--num-gpus must be ≥ 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be ≥ 1") }
        guard temperature >= 0 else { throw ValidationError("--temperature must be ≥ 0") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be ≥ 1") }
        guard maxResponseBytes >= 1024 else { throw ValidationError("--max-response-bytes must be ≥ 1024") }
        if (try? ExpertRecordingMode(parsing: expertRecordingMode)) == nil {
            throw ValidationError(
                "unknown --expert-recording-mode '\(expertRecordingMode)'; one of: per_token, per_pass, stat, stat_approx"
            )
        }
        guard requestRate.map({ $0 > 0 }) ?? true else { throw ValidationError("--request-rate must be > 0") }
        guard timeout > 0, retries >= 0 else { throw ValidationError("--timeout must be > 0 and --retries ≥ 0") }
        guard serverUrl.hasPrefix("http://") || serverUrl.hasPrefix("https://") else {
            throw ValidationError("--server-url must start with http:// or https://")
        }
        if let gpuType, HardwareCatalog.gpu(named: gpuType) == nil {
            throw ValidationError("unknown --gpu-type '\(gpuType)'; known: \(HardwareCatalog.acceptedNames)")
        }
        if let precision, !Precision.known.contains(precision.lowercased()) {
            throw ValidationError(
                "unknown --precision '\(precision)'; known: \(Precision.known.joined(separator: ", "))")
        }
        _ = try makeConfig()  // dataset, prompt style and fixed-length values
    }

    func run() async throws {
        let config: EvaluationConfig
        do { config = try makeConfig() } catch { throw RunFailure("\(error)") }  // validated already
        let log = FileHandle.standardError
        let data: Dataset
        do {
            data = try await DatasetSourcing.load(config)
        } catch {
            throw RunFailure("\(error)")
        }
        for w in data.warnings.prefix(10) { log.write(Data("warning: \(w)\n".utf8)) }
        if data.warnings.count > 10 {
            log.write(Data("warning: … and \(data.warnings.count - 10) more rows skipped\n".utf8))
        }
        if !quiet { log.write(Data("Loaded \(data.items.count) \(config.dataset.rawValue) items.\n".utf8)) }

        let evaluation = Evaluation(config: config)
        let signals = SignalWatcher { evaluation.interrupt() }
        defer { signals.cancel() }
        let result: (status: EvaluationStatus, metrics: JSONValue)
        do { result = try await evaluation.run(dataset: data) } catch { throw RunFailure("\(error)") }
        if !quiet {
            print(SummaryTable.render(result.metrics))
            print("Results written to \(config.outputDir)")
        }
        if case .incomplete(let problems) = result.status {
            for problem in problems { log.write(Data("\(problem)\n".utf8)) }
            throw ExitCode.failure
        }
    }

    private func makeConfig() throws -> EvaluationConfig {
        let kind: DatasetKind
        do { kind = try DatasetKind(parsing: dataset) } catch { throw ValidationError("\(error)") }
        var c = EvaluationConfig(model: model, dataset: kind)
        c.numSamples = numSamples
        c.numGPUs = numGpus
        c.serverURL = serverUrl
        c.outputDir = outputDir
        c.maxTokens = maxTokens
        c.temperature = temperature
        c.clearBefore = clearBefore
        c.dataFile = dataFile
        c.concurrency = concurrency
        c.requestRate = requestRate
        c.stream = stream
        c.timeout = timeout
        c.retries = retries
        c.gpuType = gpuType
        c.modelConfig = modelConfig
        c.precision = precision
        c.seed = seed
        c.quiet = quiet
        c.maxResponseBytes = maxResponseBytes
        if enableExpertRecording { c.expertRecording = try? ExpertRecordingMode(parsing: expertRecordingMode) }
        do {
            c.promptStyle = try PromptStyle(parsing: promptStyle)
            if let fixedLength { c.fixedLength = try FixedLengthOption.parse(fixedLength) }
        } catch {
            throw ValidationError("\(error)")
        }
        return c
    }
}

/// Calls `handler` once on SIGINT or SIGTERM (a second signal exits at once).
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "moecap-eval.signals")

    init(_ handler: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            var fired = false
            source.setEventHandler {
                if fired { exit(130) }
                fired = true
                FileHandle.standardError.write(Data("\ninterrupted: stopping, writing results…\n".utf8))
                handler()
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
