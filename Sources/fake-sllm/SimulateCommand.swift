import ArgumentParser
import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// `fake-sllm simulate`: run one deployment on the virtual clock, no HTTP, and write its batch records and
/// per-request timings.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a deployment in-process on a virtual clock (no HTTP).",
        discussion: """
            Builds the simulated vLLM engine for a model on a GPU type, replays a workload (all at once, a Poisson \
            or constant rate, a concurrency cap, or a JSONL trace of {"arrival_s", "prompt_tokens", \
            "output_tokens"} lines), writes the batch records (the vllm_moecap backend's format) and per-request \
            timings, and prints a JSON summary. The same inputs and seed give byte-identical files.

            Length distributions: N, uniform:MIN:MAX, normal:MEAN:STD, exponential:MEAN, lognormal:MEAN:SIGMA.
            Routing: uniform, zipf (exponent 1.0, the calibrated default), zipf:EXPONENT, or a JSON file of token \
            counts per MoE layer × expert.
            """)

    // MARK: Deployment

    @Option(help: "Hugging Face model id (built-in catalog) or path to a config.json.")
    var model: String?

    @OptionGroup var gpu: GPUOption

    @Option(name: .customLong("gpus"), help: "GPUs of the deployment: the tensor-parallel size (gpu_num).")
    var gpuCount: Int?

    @Option(
        help:
            "ServerlessLLM deploy config JSON (model, backend_config, fake_sllm), read as serve reads it; flags override it."
    )
    var deploy: String?

    /// Hidden second spelling of `--gpus` (the backend_config key's name); `--gpus` wins when both are given.
    @Option(help: ArgumentHelp("backend_config.tensor_parallel_size (same as --gpus)", visibility: .hidden))
    var tensorParallelSize: Int?
    @Option(help: "backend_config.max_num_seqs (default: vLLM 0.11 by GPU, 1024; 256 on A100 and GPUs under 70 GiB)")
    var maxNumSeqs: Int?
    @Option(
        help:
            "backend_config.max_num_batched_tokens (default: vLLM 0.11 by GPU, 8192; 2048 on A100 and GPUs under 70 GiB)"
    )
    var maxNumBatchedTokens: Int?
    @Option(help: "backend_config.max_model_len (default: the model's max_position_embeddings)")
    var maxModelLen: Int?
    @Option(help: "backend_config.gpu_memory_utilization (default 0.9)")
    var gpuMemoryUtilization: Double?
    @Option(help: "backend_config.block_size (default 16)")
    var blockSize: Int?
    @Flag(inversion: .prefixedNo, help: "backend_config.enable_prefix_caching (default on)")
    var enablePrefixCaching: Bool?
    @Flag(inversion: .prefixedNo, help: "backend_config.enforce_eager (default off: CUDA graphs)")
    var enforceEager: Bool?
    @Option(help: "backend_config.dtype (auto, bfloat16, float16, float32)")
    var dtype: String?
    @Option(help: "backend_config.quantization (fp8, awq, gptq, …)")
    var quantization: String?
    @Option(help: "backend_config.kv_cache_dtype (auto, fp8)")
    var kvCacheDtype: String?

    // MARK: Simulator

    @OptionGroup var engine: EngineOptions

    // MARK: Workload

    @Option(help: "How requests arrive.")
    var workload = WorkloadKind.allAtOnce
    @Option(help: "Requests per second (poisson, constant).")
    var rate: Double?
    @Option(help: "At most this many requests in flight.")
    var concurrency: Int?
    @Option(help: "JSONL trace file (with --workload trace).")
    var trace: String?
    @Option(help: "Number of synthetic requests.")
    var requests: Int = 100
    @Option(help: "Prompt length distribution.")
    var promptTokens: String = "512"
    @Option(help: "Output length (tokens until EOS) distribution.")
    var outputTokens: String = "128"
    @Option(help: "max_tokens of every request (default: its output length).")
    var maxTokens: Int?
    @Flag(help: "Set ignore_eos on every request.")
    var ignoreEOS = false
    @Option(help: "Leading prompt tokens shared by the requests of a prefix group.")
    var sharedPrefixTokens: Int = 0
    @Option(help: "Number of prefix groups.")
    var prefixGroups: Int = 1
    @Option(help: "Reuse this many distinct prompts cyclically.")
    var distinctPrompts: Int?

    @Option(
        help:
            "With --deploy: sllm (ServerlessLLM's router, autoscaler and cold start, as serve) or direct (the engine alone). (default: the deploy config's fake_sllm.serving, else sllm)"
    )
    var serving: ServingMode?

    // MARK: Output

    @Option(help: "Write the batch records (JSON array) here.")
    var recordsOut: String?
    @Option(help: "Write per-request timings (JSON Lines) here.")
    var requestsOut: String?

    func validate() throws {
        if let g = gpuCount, g < 1 { throw ValidationError("--gpus must be at least 1") }
        if let r = rate, !(r > 0 && r.isFinite) { throw ValidationError("--rate must be a positive number") }
        do { _ = try workloadSpec(readingTrace: false) } catch { throw ValidationError("\(error)") }
        switch workload {
        case .allAtOnce: break
        case .poisson, .constant:
            if rate == nil { throw ValidationError("--workload \(workload.rawValue) needs --rate") }
        case .trace:
            if trace == nil { throw ValidationError("--workload trace needs --trace FILE") }
        case .concurrency:
            if concurrency == nil { throw ValidationError("--workload concurrency needs --concurrency N") }
        }
        if model == nil, deploy == nil { throw ValidationError("give --model or --deploy") }
    }

    func run() throws {
        do {
            try execute()
        } catch let e as RunFailure {
            throw e
        } catch {
            throw runFailure("simulate: \(error)")
        }
    }

    private func execute() throws {
        let wallStart = ContinuousClock.now
        let setup = try deployment()
        let config = setup.engine
        // With a deploy config the requests go through serve's serving layer (router and cold start in sllm mode).
        let served = deploy != nil && setup.settings.serving == .sllm ? setup : nil
        let work = try workloadSpec(readingTrace: true).generate(blockSize: config.blockSize, seed: config.seed)
        let result: SimulationResult
        if let served {
            result = try ServedSimulation.run(
                deploy: served.deploy, settings: served.settings, engineConfig: config, workload: work)
        } else {
            result = try Simulation.run(config: config, workload: work, keepSteps: true)
        }
        if let path = recordsOut {
            try SimulateFiles.write(to: path) { write in
                try result.writeRecordsJSON(indent: 2, to: write)
                try write([0x0A])
            }
        }
        if let path = requestsOut {
            try SimulateFiles.write(to: path) { write in try result.writeTimingsJSONL(to: write) }
        }
        let wall = ContinuousClock.now - wallStart
        let wallSeconds = wall.inSeconds
        var summary = result.summary()
        summary["wall_seconds"] = .double(wallSeconds)
        summary["steps_per_second"] = .double(Double(result.stepCount) / max(wallSeconds, 1e-9))
        summary["simulated_per_wall"] = .double(result.simulatedSeconds / max(wallSeconds, 1e-9))
        summary["routing_us_per_step"] = .double(result.routingWallSeconds / Double(max(result.stepCount, 1)) * 1e6)
        let profile =
            try setup.settings.calibrationOverride?.profile(for: config.gpu)
            ?? CalibrationCatalog.profile(for: config.gpu)
        summary["calibration_source"] = .string(profile.source.rawValue)
        summary["calibration_evidence"] = .string(profile.evidence)
        print(JSONValue.object(summary).serialized(indent: 2))
    }

    /// The engine exactly as `serve` would build it for the deploy config (if any) with the flags applied on top:
    /// the same config parsing, model resolution, `backend_config` mapping and `fake_sllm` overrides.
    /// The deploy config and settings `serve` would use, and the engine it would build.
    private func deployment() throws -> (deploy: DeployConfig, settings: SimulatorSettings, engine: EngineConfig) {
        var body = try deploy.map { try SimulateFiles.readJSON($0, what: "deploy config") } ?? .object(JSONObject())
        guard case .object(var o) = body else {
            throw SimulationInputError("deploy config \(deploy!) is not a JSON object")
        }
        if let model { o["model"] = .string(model) }
        guard o["model"]?.stringValue != nil else {
            throw SimulationInputError("no model: give --model or a deploy config with \"model\"")
        }
        var backend = o["backend_config"]?.objectValue ?? JSONObject()
        if let v = gpuCount ?? tensorParallelSize { backend["tensor_parallel_size"] = .int(v) }
        if let v = maxNumSeqs { backend["max_num_seqs"] = .int(v) }
        if let v = maxNumBatchedTokens { backend["max_num_batched_tokens"] = .int(v) }
        if let v = maxModelLen { backend["max_model_len"] = .int(v) }
        if let v = gpuMemoryUtilization { backend["gpu_memory_utilization"] = .double(v) }
        if let v = blockSize { backend["block_size"] = .int(v) }
        if let v = enablePrefixCaching { backend["enable_prefix_caching"] = .bool(v) }
        if let v = enforceEager { backend["enforce_eager"] = .bool(v) }
        if let v = dtype { backend["dtype"] = .string(v) }
        if let v = quantization { backend["quantization"] = .string(v) }
        if let v = kvCacheDtype { backend["kv_cache_dtype"] = .string(v) }
        o["backend_config"] = .object(backend)
        body = .object(o)

        // The deploy config's fake_sllm object first, then the flags.
        let deployConfig = try DeployConfig(json: body)
        var settings = try SimulatorSettings().applying(deployConfig.simulatorOverrides)
        if let gpu = gpu.value { settings.gpuType = gpu }
        if let seed = engine.seed { settings.seed = seed }
        if let serving { settings.serving = serving }
        if let routing = engine.routing { settings.routing = routing.config }
        if let file = try engine.calibrationOverride() { settings.calibrationOverride = file }
        let config = try EngineSettings.engineConfig(deploy: deployConfig, settings: settings)
        return (deployConfig, settings, config)
    }

    /// The workload the flags describe, each flag set through its key of the one workload grammar
    /// (``WorkloadSpec``); the trace file is read only when `readingTrace`.
    private func workloadSpec(readingTrace: Bool) throws -> WorkloadSpec {
        var spec = WorkloadSpec(
            name: "simulate",
            synthetic: SyntheticWorkload(count: 100, promptTokens: .fixed(512), outputTokens: .fixed(128)))
        let flags: [(WorkloadSpec.Key, String?)] = [
            (.requests, String(requests)), (.prompt, promptTokens), (.output, outputTokens),
            (.rate, rate.map { "\($0)" }), (.arrival, workload.arrival.rawValue),
            (.concurrency, concurrency.map(String.init)), (.maxTokens, maxTokens.map(String.init)),
            (.ignoreEOS, String(ignoreEOS)), (.sharedPrefixTokens, String(sharedPrefixTokens)),
            (.prefixGroups, String(prefixGroups)), (.distinctPrompts, distinctPrompts.map(String.init)),
        ]
        for case let (key, value?) in flags { try spec.set(key, to: value, spelling: .flags) }
        if workload == .trace, readingTrace, let trace {
            spec.name = trace
            spec.trace = try SimulateFiles.readText(trace, what: "trace")
        }
        return spec
    }
}

/// `simulate --workload`: how the synthetic requests arrive, or a trace.
enum WorkloadKind: String, CaseIterable, ExpressibleByArgument {
    case allAtOnce = "all-at-once"
    case poisson, constant, concurrency, trace

    /// The `arrival` of the workload grammar: `concurrency` and `trace` send at once (a trace's own times apply).
    var arrival: WorkloadSpec.Arrival {
        switch self {
        case .poisson: return .poisson
        case .constant: return .constant
        case .allAtOnce, .concurrency, .trace: return .allAtOnce
        }
    }
}

/// File helpers of the simulate and fidelity commands: every failure is one clear line.
enum SimulateFiles {
    /// Reads a whole text file or fails with one clear line.
    static func readText(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulationInputError("cannot read \(what) file '\(path)'")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads and parses a JSON file or fails with one clear line.
    static func readJSON(_ path: String, what: String) throws -> JSONValue {
        let text = try SimulateFiles.readText(path, what: what)
        do {
            return try JSONValue.parse(text)
        } catch {
            throw SimulationInputError("\(what) file '\(path)' is not valid JSON: \(error)")
        }
    }

    /// Writes a text file or fails with one clear line.
    static func write(_ text: String, to path: String) throws {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// Writes a file's bytes or fails with one clear line.
    /// Creates (or truncates) `path` and appends each piece `body` hands to its writer, as it comes.
    static func write(to path: String, _ body: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw SimulationInputError("cannot write '\(path)'")
        }
        defer { try? handle.close() }
        do {
            try body { piece in try handle.write(contentsOf: piece) }
        } catch let e as SimulationInputError {
            throw e
        } catch {
            throw SimulationInputError("cannot write '\(path)': \(error)")
        }
    }

    static func write(bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw SimulationInputError("cannot write '\(path)'")
        }
    }
}
