import Dispatch
import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// Reads a validation-suite folder (`*.jsonl`, one real vLLM run per line: Fixtures/validation/README.md), turns
/// each row into the engine and workload `simulate` would build for it, and replays the rows in parallel.
enum SuiteRunner {
    /// Replays every row of `directory`.
    /// - Parameters:
    ///   - calibration: a calibration override applied over each row's GPU profile (nil: the profiles).
    ///   - routing, seed: as for V1/V4.
    /// - Throws: ``SimulationInputError`` when the folder or a line cannot be read.
    static func run(directory: String, calibration: JSONValue?, routing: RoutingConfig, seed: UInt64) throws
        -> FidelitySuiteReport
    {
        let (cases, loadFailures, excluded) = try load(
            directory: directory, calibration: calibration, routing: routing, seed: seed)
        var failures = loadFailures
        var rows: [SuiteComparison] = []
        for (c, r) in zip(cases, inParallel(cases, FidelitySuite.replay)) {
            switch r {
            case .success(let comparisons): rows += comparisons
            case .failure(let e): failures.append((c.id, e.description))
            }
        }
        return FidelitySuiteReport(rows: rows, failures: failures, excluded: excluded)
    }

    /// Replays the served rows of `directory` whose id matches the regular expression `pattern` with every stream
    /// chunk (``FidelitySuite/streams(_:)``), in parallel, in the suite's order.
    /// - Throws: ``SimulationInputError`` when the folder, a line or a matching row cannot be read or replayed.
    static func streams(
        directory: String, matching pattern: String, calibration: JSONValue?, routing: RoutingConfig, seed: UInt64
    ) throws -> [(case: SuiteCase, simulated: StreamStatistics)] {
        let (all, failures, _) = try load(directory: directory, calibration: calibration, routing: routing, seed: seed)
        func matches(_ id: String) -> Bool { id.range(of: pattern, options: .regularExpression) != nil }
        if let f = failures.first(where: { matches($0.id) }) { throw SimulationInputError("\(f.id): \(f.reason)") }
        let cases = all.filter { !$0.offline && matches($0.id) }
        guard !cases.isEmpty else {
            throw SimulationInputError("--streams '\(pattern)' matches no served row of '\(directory)'")
        }
        return try zip(cases, inParallel(cases, FidelitySuite.streams)).map { c, r in
            switch r {
            case .success(let s): return (c, s)
            case .failure(let e): throw SimulationInputError("\(c.id): \(e)")
            }
        }
    }

    /// `work` applied to every case in parallel (one slot per case, each written once), the results in the cases'
    /// order; a thrown error becomes that case's failure.
    private static func inParallel<T: Sendable>(
        _ cases: [SuiteCase], _ work: @Sendable (SuiteCase) throws -> T
    ) -> [Result<T, SimulationInputError>] {
        let results = Locked([Result<T, SimulationInputError>?](repeating: nil, count: cases.count))
        DispatchQueue.concurrentPerform(iterations: cases.count) { i in
            let r: Result<T, SimulationInputError>
            do {
                r = .success(try work(cases[i]))
            } catch {
                r = .failure(SimulationInputError("\(error)"))
            }
            results.withLock { $0[i] = r }
        }
        // concurrentPerform returns after every iteration has run, so every slot is filled.
        return results.withLock { $0 }.map { $0 ?? .failure(SimulationInputError("not run")) }
    }

    /// Every row of `directory` mapped to its replay, the rows that could not be mapped, and the excluded ones.
    private static func load(directory: String, calibration: JSONValue?, routing: RoutingConfig, seed: UInt64) throws
        -> (cases: [SuiteCase], failures: [(id: String, reason: String)], excluded: [(id: String, reason: String)])
    {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }
            .sorted()
        guard !files.isEmpty else { throw SimulationInputError("no *.jsonl files in suite folder '\(directory)'") }
        var cases: [SuiteCase] = []
        var failures: [(id: String, reason: String)] = []
        var excluded: [(id: String, reason: String)] = []
        for file in files {
            let text = try SimulateFiles.readText(directory + "/" + file, what: "suite")
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
                let row: JSONValue
                do {
                    row = try JSONValue.parse(String(line))
                } catch {
                    throw SimulationInputError("\(file) line \(n + 1): not valid JSON: \(error)")
                }
                let id = row["id"]?.stringValue ?? "\(file):\(n + 1)"
                do {
                    let parsed = try ValidationRow(json: row)
                    if let reason = parsed.excluded {
                        excluded.append((id, reason))
                        continue
                    }
                    cases.append(
                        try SuiteRowMapping.suiteCase(parsed, calibration: calibration, routing: routing, seed: seed))
                } catch {
                    failures.append((id, "\(error)"))
                }
            }
        }
        return (cases, failures, excluded)
    }
}

/// One suite row (``ValidationRow``, Fixtures/validation/README.md) as the engine and workload `simulate` builds.
enum SuiteRowMapping {
    static func suiteCase(_ row: ValidationRow, calibration: JSONValue?, routing: RoutingConfig, seed: UInt64) throws
        -> SuiteCase
    {
        guard let model = ModelCatalog.spec(for: row.model) else {
            throw SimulationInputError("unknown model '\(row.model)'")
        }
        guard let gpu = HardwareCatalog.gpu(named: row.gpu) else {
            throw SimulationInputError("unknown GPU '\(row.gpu)'")
        }
        let offline = row.mode == .offline
        var config = EngineConfig(model: model, gpu: gpu, tensorParallelSize: max(row.tp, 1))
        config.routing = routing
        config.seed = seed
        config.moeKernelSource = row.fusedMoEConfigSource
        config.tritonKernels = row.shipsTritonKernels
        if let calibration { config.calibration = try Calibration(json: calibration, base: config.calibration) }
        if offline {
            (config.maxNumSeqs, config.maxNumBatchedTokens) = FidelitySuite.offlineDefaults(gpu: gpu)
            config.calibration = FidelitySuite.withoutAPIServer(config.calibration)
        }
        // An unquantized checkpoint served with FP8 was quantized online (`--quantization fp8`).
        if model.quantizationConfig == nil, row.quantization.lowercased().hasPrefix("fp8") {
            config.quantization = "fp8"
        }
        config.kvCacheDtype = row.kvCacheDtype
        // `--gpu-memory-utilization` as the run stated it (it sizes the KV cache, docs/engine.md §3).
        if let u = row.engineOptions["gpu_memory_utilization"]?.doubleValue { config.gpuMemoryUtilization = u }
        let w = row.workload
        let inputLen = w.inputLen ?? w.meanInputLen.map { Int($0.rounded()) } ?? 512
        let outputLen = max(1, w.outputLen ?? w.meanOutputLen.map { Int($0.rounded()) } ?? 128)
        let s = row.scheduler
        if let n = s.maxNumSeqs { config.maxNumSeqs = n }
        if let n = s.maxNumBatchedTokens { config.maxNumBatchedTokens = n }
        config.maxModelLen = s.maxModelLen
        if let b = s.enablePrefixCaching { config.enablePrefixCaching = b }
        config.enforceEager = s.enforceEager
        config.asyncScheduling = s.asyncScheduling
        if config.maxModelLen == nil {
            // vLLM sizes its cache for the model's whole context; the rows' requests need far less, and a context
            // the simulated memory plan cannot hold would only refuse to start.
            config.maxModelLen = min(model.maxPositionEmbeddings, max(inputLen + outputLen + 16, 4096))
        }
        if config.maxNumBatchedTokens < config.maxNumSeqs { config.maxNumBatchedTokens = config.maxNumSeqs }
        let workload: Workload
        if offline {
            let batch = w.batchSize ?? 1
            workload = SyntheticWorkload(
                count: batch, arrival: .allAtOnce, promptTokens: .fixed(inputLen), outputTokens: .fixed(outputLen),
                maxTokens: outputLen, ignoreEOS: true, blockSize: config.blockSize, seed: seed
            ).generate()
        } else {
            let count = w.numPrompts ?? 100
            // `vllm bench serve` sends a Poisson process at the rate; inference-perf's stages are constant-rate.
            let constant = w.raw["arrival"]?.stringValue == "constant"
            let arrival: ArrivalPattern =
                w.requestRate.map { constant ? .constant(rate: $0) : .poisson(rate: $0) } ?? .allAtOnce
            var prompt = LengthDistribution.fixed(inputLen)
            // Without `ignore_eos` the requested length is only `max_tokens`: outputs that ended at EOS earlier
            // are replayed at the length the run measured (docs/calibration.md "Replay fixes").
            var output = LengthDistribution.fixed(outputLen)
            if w.ignoreEOS != true, let mean = w.meanOutputLen, mean < Double(outputLen) {
                output = .fixed(max(1, Int(mean.rounded())))
            }
            if w.dataset == "sharegpt" {
                // ShareGPT conversations are heavy-tailed: lengths drawn around the measured means
                // (docs/calibration.md "The validation suite"), within the benchmark's filter below.
                prompt = .lognormal(mean: Double(inputLen), sigma: FidelitySuite.shareGPTSigma)
                output = .lognormal(mean: Double(outputLen), sigma: FidelitySuite.shareGPTSigma)
            }
            // inference-perf's shared-prefix data: a system prompt per group, then the question.
            let shared = w.raw["shared_prefix"]
            let prefix = shared?["system_prompt_len"]?.intValue ?? 0
            let groups = shared?["num_unique_system_prompts"]?.intValue ?? 1
            // Each user of a group asks its own question again and again (multi-turn chat over one prompt set).
            let users = shared?["num_users_per_system_prompt"]?.intValue
            var generated = SyntheticWorkload(
                count: count, arrival: arrival, promptTokens: prompt, outputTokens: output, maxTokens: nil,
                ignoreEOS: true, maxConcurrency: w.maxConcurrency, sharedPrefixTokens: min(prefix, inputLen - 1),
                prefixGroups: max(groups, 1), distinctPrompts: users.map { max(1, $0 * max(groups, 1)) },
                blockSize: config.blockSize, seed: seed
            ).generate()
            if w.dataset == "sharegpt" {
                // vLLM's ShareGPT sampler keeps prompts of at most 1024 tokens and prompt + output of at most 2048.
                for i in generated.requests.indices {
                    let p = min(generated.requests[i].promptTokens, 1024)
                    let o = max(1, min(generated.requests[i].outputTokens, 2048 - p))
                    generated.requests[i].promptTokens = p
                    generated.requests[i].outputTokens = o
                    generated.requests[i].maxTokens = o
                    generated.requests[i].prefixBlockHashes = Array(
                        generated.requests[i].prefixBlockHashes.prefix(p / config.blockSize))
                }
            }
            workload = generated
        }
        let m = row.measured
        var measured: [(figure: SuiteFigure, statistic: SuiteStatistic, value: Double)] = []
        if let v = m["ttft_mean_ms"] {
            measured.append((.ttft, .mean, v))
        } else if let v = m["ttft_median_ms"] {
            measured.append((.ttft, .median, v))
        }
        if let v = m["tpot_mean_ms"] {
            measured.append((.tpot, .mean, v))
        } else if let v = m["tpot_median_ms"] {
            measured.append((.tpot, .median, v))
        } else if let v = m["itl_mean_ms"] {
            measured.append((.tpot, .mean, v))
        }
        if let v = m["output_throughput_tok_s"] {
            measured.append((.throughput, .outputTokensPerSecond, v))
        } else if let v = m["total_throughput_tok_s"] {
            measured.append((.throughput, .totalTokensPerSecond, v))
        } else if let v = m["request_throughput_req_s"] {
            measured.append((.throughput, .requestsPerSecond, v))
        }
        if let v = m["latency_s"] { measured.append((.latency, .batchSeconds, v)) }
        guard !measured.isEmpty else { throw SimulationInputError("row has no measured figure") }
        var suiteCase = SuiteCase(
            // The summary groups rows by GPU family (`A100` for every A100 variant a row names).
            id: row.id, source: row.source.id, gpu: HardwareCatalog.shortName(gpu.key), holdout: row.split == .holdout,
            engineVersion: row.engineVersion, config: config, offline: offline, workload: workload, measured: measured)
        // vLLM's serving benchmark sends its first prompt once as a test before the measured run
        // (docs/calibration.md "The validation suite").
        suiteCase.generation = row.generation
        suiteCase.testRun = !offline && FidelitySuite.servingBenchmarks.contains(row.benchmark)
        suiteCase.measuredStreams = row.measured
        return suiteCase
    }
}
