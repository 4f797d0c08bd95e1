import MoECore

/// Every setting of an evaluation run; written to `config.json`.
package struct EvaluationConfig: Sendable {
    // The seed script's flags (seed README "Arguments"), same names, meanings and defaults.
    package var model: String
    package var dataset: DatasetKind
    package var numSamples: Int?
    package var numGPUs = 1
    package var serverURL = "http://127.0.0.1:8500"
    package var outputDir = "./moecap_results"
    package var maxTokens = 512
    package var temperature = 0.0
    package var clearBefore = false

    // Extensions.
    /// Local dataset file in the dataset's own row schema (else the Hugging Face Hub).
    package var dataFile: String?
    /// Requests in flight at once. 100 by default: the original script sends every request through one
    /// `aiohttp.ClientSession`, whose default connector opens at most 100 connections (docs/evaluator.md "Flow").
    package var concurrency = EvaluationConfig.defaultConcurrency
    /// Poisson arrival rate (requests/s); nil = no pacing.
    package var requestRate: Double?
    /// Stream responses (SSE; an extension of fake-sllm, not accepted by a real ServerlessLLM server).
    package var stream = false
    /// Per-request timeout in seconds (the original used aiohttp's 300 s total timeout).
    package var timeout = 300.0
    /// Retries for connection errors, timeouts and 5xx answers.
    package var retries = 2
    /// GPU for the MoE-CAP peaks when the records do not say (or to override them).
    package var gpuType: String?
    /// An HF `config.json` for models outside the built-in catalog.
    package var modelConfig: String?
    /// Weight precision (MoE-CAP §7); nil = the model config's.
    package var precision: String?
    /// Seed of the Poisson arrivals.
    package var seed: UInt64 = 0
    package var quiet = false
    /// Prompt style: the ServerlessLLM script's (default) or MoE-CAP's.
    package var promptStyle = PromptStyle.sllm
    /// Fixed-length mode (MoE-CAP's 4K-1K / 13K-1K presets or custom).
    package var fixedLength: FixedLengthSpec?
    /// Expert-distribution recording beside the batch recording (`--enable-expert-recording`), in this mode;
    /// nil = off.
    package var expertRecording: ExpertRecordingMode?
    /// The largest chat answer accepted, in bytes (`--max-response-bytes`); larger ones fail.
    package var maxResponseBytes = EvaluationConfig.defaultMaxResponseBytes
    /// Ask the server for ground truth (`/fake_sllm/dump_ground_truth`) when it offers it.
    package var groundTruth = true
    /// Sent as `Authorization: Bearer` on every request (`--api-key`, or `OPENAI_API_KEY`); never written to the
    /// output files.
    package var apiKey: String?
    /// Accept a run where some (not all) requests failed (`--allow-failures`); by default any failure makes the
    /// run incomplete and the command exit non-zero (docs/evaluator.md "Verdicts").
    package var allowFailures = false

    package init(model: String, dataset: DatasetKind) {
        self.model = model
        self.dataset = dataset
    }

    /// aiohttp's default connection limit, the original script's effective concurrency.
    package static let defaultConcurrency = 100
    /// 16 MiB: a 64k-token streamed answer at about 250 bytes per event fits.
    package static let defaultMaxResponseBytes = 16 << 20

    /// The server URL without a trailing slash.
    var baseURL: String { serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL }

    /// `config.json`: the seed's five keys first, then every other setting.
    package var json: JSONValue {
        func opt<T>(_ v: T?, _ f: (T) -> JSONValue) -> JSONValue { v.map(f) ?? .null }
        return .object(
            JSONObject([
                ("model", .string(model)), ("dataset", .string(dataset.rawValue)),
                ("num_samples", opt(numSamples) { .int($0) }), ("max_tokens", .int(maxTokens)),
                ("temperature", .double(temperature)), ("num_gpus", .int(numGPUs)), ("server_url", .string(serverURL)),
                ("output_dir", .string(outputDir)), ("clear_before", .bool(clearBefore)),
                ("data_file", opt(dataFile) { .string($0) }), ("concurrency", .int(concurrency)),
                ("request_rate", opt(requestRate) { .double($0) }), ("stream", .bool(stream)),
                ("timeout_s", .double(timeout)), ("retries", .int(retries)), ("gpu_type", opt(gpuType) { .string($0) }),
                ("model_config", opt(modelConfig) { .string($0) }), ("precision", opt(precision) { .string($0) }),
                ("seed", .int(Int(truncatingIfNeeded: seed))), ("prompt_style", .string(promptStyle.rawValue)),
                ("enable_expert_recording", .bool(expertRecording != nil)),
                ("expert_recording_mode", .string((expertRecording ?? .perPass).rawValue)),
                ("max_response_bytes", .int(maxResponseBytes)),
                (
                    "fixed_length",
                    opt(fixedLength) {
                        [
                            "input_tokens": .int($0.inputTokens), "output_tokens": .int($0.outputTokens),
                            "num_samples": .int($0.numSamples),
                        ]
                    }
                ),
            ]))
    }
}
