import MoECore

/// One published measurement of a real vLLM deployment serving an MoE model, with its full conditions: a line of
/// `Fixtures/validation/*.jsonl` (schema and sources in docs/validation-suite.md).
///
/// A plain value parsed from the project's ``JSONValue``; `null` members mean "engine default" (scheduler) or
/// "not stated" (workload). Unknown members of `measured` are refused so that a typo cannot hide a figure.
package struct ValidationRow: Sendable, Equatable {
    /// Whether the row may be used to fit constants or is kept out of every fit.
    package enum Split: String, Sendable, Equatable, CaseIterable {
        case fit, holdout
    }

    /// How the measurement drove the engine.
    package enum Mode: String, Sendable, Equatable, CaseIterable {
        /// Through vLLM's OpenAI server with the benchmark's arrivals (`vllm bench serve`, `benchmark_serving`, …).
        case served
        /// In-process through the `LLM` class (`benchmark_latency`, `benchmark_throughput`).
        case offline
    }

    /// Where the figures were published.
    package struct Source: Sendable, Equatable {
        /// Stable name of the publication the row comes from (`gpustack-performance-lab`, `vllm-pr-3240`, …);
        /// the split is stratified by it.
        package var id: String
        /// `github-file`, `github-issue`, `github-pr` or `web`.
        package var kind: String
        package var url: String
        package var repo: String?
        package var path: String?
        package var commit: String?
        /// A short locator inside the publication (heading, table row).
        package var quote: String
    }

    /// vLLM's scheduler flags as the run set them (nil: the engine's default for that version and GPU).
    package struct Scheduler: Sendable, Equatable {
        package var maxNumSeqs: Int?
        package var maxNumBatchedTokens: Int?
        package var maxModelLen: Int?
        package var enablePrefixCaching: Bool?
        package var enforceEager: Bool
        package var asyncScheduling: Bool
    }

    /// What the benchmark sent.
    package struct Workload: Sendable, Equatable {
        /// `random`, `sharegpt`, `fixed` (benchmark_latency's dummy prompts), `shared_prefix` (inference-perf).
        package var dataset: String
        package var inputLen: Int?
        package var outputLen: Int?
        package var numPrompts: Int?
        /// Requests per second; nil = all at once (`inf`).
        package var requestRate: Double?
        package var maxConcurrency: Int?
        package var ignoreEOS: Bool?
        /// `benchmark_latency`'s batch size.
        package var batchSize: Int?
        /// Measured means (total tokens ÷ successful requests) where the source gives them.
        package var meanInputLen: Double?
        package var meanOutputLen: Double?
        /// The whole `workload` object, for members only some sources have (`endpoint`, `seed`, `num_iters`,
        /// `arrival`, `duration_s`, `shared_prefix`).
        package var raw: JSONValue
    }

    package var id: String
    package var source: Source
    package var engine: String
    /// The version the source states, or `unknown`.
    package var engineVersion: String
    /// The run's date where the version is unknown (ISO `YYYY-MM-DD`).
    package var engineDate: String?
    /// Which vLLM generation ran the row, from its version or else its date (docs/validation-suite.md).
    package var generation: VLLMGeneration { VLLMGeneration(version: engineVersion, date: engineDate) }
    /// A name ``HardwareCatalog/gpu(named:)`` accepts.
    package var gpu: String
    package var gpus: Int
    package var tp: Int
    package var ep: Bool
    package var dp: Int
    /// A ``ModelCatalog`` id.
    package var model: String
    /// `bf16`, `fp8`, `fp8-block`, `mxfp4`, `awq`, …
    package var quantization: String
    package var kvCacheDtype: String
    package var scheduler: Scheduler
    /// Other engine settings (environment variables, fused-MoE config, memory utilisation).
    package var engineOptions: JSONValue
    /// The fused-MoE block config the source states it ran (`engine_options.fused_moe_config` beginning with
    /// `default` or `tuned`), nil when it says neither (the simulator then looks the shape up).
    package var fusedMoEConfigSource: FusedMoEKernelConfig.Source? {
        guard let text = engineOptions["fused_moe_config"]?.stringValue?.lowercased() else { return nil }
        if text.hasPrefix("default") { return .default }
        if text.hasPrefix("tuned") { return .tuned }
        return nil
    }
    /// Whether the run's vLLM had OpenAI's `triton_kernels` package (``EngineConfig/tritonKernels``): a stated
    /// version after 0.11.0, or, where the version is unknown, a run dated on or after 2025-10-22, when vLLM made
    /// the package a dependency (vllm PR #27370). vLLM 0.10–0.11.0 and undated runs of unknown version: false.
    package var shipsTritonKernels: Bool {
        if let release = VLLMGeneration.release(engineVersion) { return release > (0, 11, 0) }
        guard let date = engineDate else { return false }
        return date >= "2025-10-22"
    }
    /// `vllm bench serve`, `benchmark_serving`, `benchmark_latency`, `benchmark_throughput` or `other`.
    package var benchmark: String
    package var mode: Mode
    package var workload: Workload
    /// The figures the source states, by name (``measuredNames``).
    package var measured: [String: Double]
    package var split: Split
    /// Why the row cannot be replayed faithfully (the run's engine or conditions differ from what the simulator
    /// models), nil for a replayable row. An excluded row keeps its place in the split rule but is listed apart,
    /// never replayed and never counted (docs/validation-suite.md).
    package var excluded: String?
    /// What the row assumes where the source is silent.
    package var assumptions: [String]
    package var notes: String

    /// Every accepted `measured` member; the figures (as opposed to counts) are ``figureNames``.
    package static let measuredNames: Set<String> = figureNames.union([
        "successful_requests", "total_input_tokens", "total_output_tokens",
    ])

    /// Measured members that are latencies or throughputs.
    package static let figureNames: Set<String> = [
        "ttft_mean_ms", "ttft_median_ms", "ttft_p99_ms", "tpot_mean_ms", "tpot_median_ms", "tpot_p99_ms",
        "itl_mean_ms", "itl_median_ms", "itl_p99_ms", "e2el_mean_ms", "e2el_median_ms", "output_throughput_tok_s",
        "peak_output_throughput_tok_s", "total_throughput_tok_s", "request_throughput_req_s", "latency_s",
        "latency_median_s", "duration_s",
    ]

    /// The latency or throughput figures the row states.
    package var figures: [String: Double] { measured.filter { Self.figureNames.contains($0.key) } }

    /// Parses one row.
    /// - Throws: ``ValidationRowError`` naming the member that is missing or of the wrong type.
    package init(json: JSONValue) throws(ValidationRowError) {
        let r = Reader(json, at: "row")
        id = try r.string("id")
        let s = try r.object("source")
        source = Source(
            id: try s.string("id"), kind: try s.string("kind"), url: try s.string("url"), repo: try s.optString("repo"),
            path: try s.optString("path"), commit: try s.optString("commit"), quote: try s.string("quote"))
        engine = try r.string("engine")
        engineVersion = try r.string("engine_version")
        engineDate = try r.optString("engine_date")
        gpu = try r.string("gpu")
        gpus = try r.int("gpus")
        tp = try r.int("tp")
        ep = try r.bool("ep")
        dp = try r.int("dp")
        model = try r.string("model")
        quantization = try r.string("quantization")
        kvCacheDtype = try r.string("kv_cache_dtype")
        let sc = try r.object("scheduler")
        scheduler = Scheduler(
            maxNumSeqs: try sc.optInt("max_num_seqs"), maxNumBatchedTokens: try sc.optInt("max_num_batched_tokens"),
            maxModelLen: try sc.optInt("max_model_len"), enablePrefixCaching: try sc.optBool("enable_prefix_caching"),
            enforceEager: try sc.optBool("enforce_eager") ?? false,
            asyncScheduling: try sc.optBool("async_scheduling") ?? false)
        engineOptions = json["engine_options"] ?? .object([:])
        benchmark = try r.string("benchmark")
        let modeName = try r.string("mode")
        guard let m = Mode(rawValue: modeName) else {
            throw ValidationRowError("row \(id): mode must be served or offline, got \(modeName)")
        }
        mode = m
        let w = try r.object("workload")
        workload = Workload(
            dataset: try w.string("dataset"), inputLen: try w.optInt("input_len"),
            outputLen: try w.optInt("output_len"),
            numPrompts: try w.optInt("num_prompts"), requestRate: try w.optDouble("request_rate"),
            maxConcurrency: try w.optInt("max_concurrency"), ignoreEOS: try w.optBool("ignore_eos"),
            batchSize: try w.optInt("batch_size"), meanInputLen: try w.optDouble("mean_input_len"),
            meanOutputLen: try w.optDouble("mean_output_len"), raw: w.value)
        guard case .object(let figures)? = json["measured"] else {
            throw ValidationRowError("row \(id): measured must be an object")
        }
        var measured: [String: Double] = [:]
        for (name, value) in figures.pairs {
            guard Self.measuredNames.contains(name) else {
                throw ValidationRowError("row \(id): unknown measured figure \(name)")
            }
            guard let v = value.doubleValue else {
                throw ValidationRowError("row \(id): measured.\(name) must be a number")
            }
            measured[name] = v
        }
        self.measured = measured
        let splitName = try r.string("split")
        guard let sp = Split(rawValue: splitName) else {
            throw ValidationRowError("row \(id): split must be fit or holdout, got \(splitName)")
        }
        split = sp
        excluded = try r.optString("excluded")
        assumptions = (json["assumptions"]?.arrayValue ?? []).compactMap(\.stringValue)
        notes = try r.optString("notes") ?? ""
    }

    /// Parses a JSON Lines file (blank lines skipped).
    /// - Throws: ``ValidationRowError`` naming the file and line.
    package static func parseLines(_ text: String, file: String) throws(ValidationRowError) -> [ValidationRow] {
        var rows: [ValidationRow] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
            if trimmed.isEmpty { continue }
            do {
                rows.append(try ValidationRow(json: try JSONValue.parse(String(trimmed))))
            } catch let error as ValidationRowError {
                throw ValidationRowError("\(file):\(index + 1): \(error.description)")
            } catch {
                throw ValidationRowError("\(file):\(index + 1): invalid JSON (\(error))")
            }
        }
        return rows
    }

    /// The split rule of docs/validation-suite.md: within each (source, GPU) group, rows ordered by the 64-bit
    /// FNV-1a hash of their id (ties by id); the first and every third after it are held out, so every group
    /// keeps at least a third of its rows out of the fit.
    package static func assignedSplits(_ rows: [ValidationRow]) -> [String: Split] {
        var groups: [String: [ValidationRow]] = [:]
        for row in rows { groups[row.source.id + "\u{0}" + row.gpu, default: []].append(row) }
        var splits: [String: Split] = [:]
        for (_, group) in groups {
            let ordered = group.sorted { (fnv1a($0.id), $0.id) < (fnv1a($1.id), $1.id) }
            for (i, row) in ordered.enumerated() { splits[row.id] = i % 3 == 0 ? .holdout : .fit }
        }
        return splits
    }

    /// 64-bit FNV-1a of the UTF-8 bytes of `text`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

/// A validation row that cannot be read.
package struct ValidationRowError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ d: String) { description = d }
}

/// Typed member access with errors that name the member.
private struct Reader {
    let value: JSONValue
    let at: String

    init(_ value: JSONValue, at: String) {
        self.value = value
        self.at = at
    }

    private func member(_ key: String) -> JSONValue? {
        guard let v = value[key], !v.isNull else { return nil }
        return v
    }

    private func fail(_ key: String, _ expected: String) -> ValidationRowError {
        ValidationRowError("\(at).\(key) must be \(expected)")
    }

    func string(_ key: String) throws(ValidationRowError) -> String {
        guard let s = member(key)?.stringValue else { throw fail(key, "a string") }
        return s
    }

    func optString(_ key: String) throws(ValidationRowError) -> String? {
        guard let v = member(key) else { return nil }
        guard let s = v.stringValue else { throw fail(key, "a string or null") }
        return s
    }

    func int(_ key: String) throws(ValidationRowError) -> Int {
        guard let i = member(key)?.intValue else { throw fail(key, "an integer") }
        return i
    }

    func optInt(_ key: String) throws(ValidationRowError) -> Int? {
        guard let v = member(key) else { return nil }
        guard let i = v.intValue else { throw fail(key, "an integer or null") }
        return i
    }

    func optDouble(_ key: String) throws(ValidationRowError) -> Double? {
        guard let v = member(key) else { return nil }
        guard let d = v.doubleValue else { throw fail(key, "a number or null") }
        return d
    }

    func bool(_ key: String) throws(ValidationRowError) -> Bool {
        guard let b = member(key)?.boolValue else { throw fail(key, "true or false") }
        return b
    }

    func optBool(_ key: String) throws(ValidationRowError) -> Bool? {
        guard let v = member(key) else { return nil }
        guard let b = v.boolValue else { throw fail(key, "true, false or null") }
        return b
    }

    func object(_ key: String) throws(ValidationRowError) -> Reader {
        guard let v = member(key), case .object = v else { throw fail(key, "an object") }
        return Reader(v, at: at + "." + key)
    }
}
