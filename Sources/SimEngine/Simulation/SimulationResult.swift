import MoECore

/// One request's timeline in a simulation (seconds on the virtual clock).
package struct RequestTiming: Sendable, Equatable {
    /// When the client sent it.
    package var arrival = 0.0
    /// When its first output token was produced (end of the step that completed its prompt).
    package var firstToken = 0.0
    /// When its last token was produced.
    package var finish = 0.0
    package var promptTokens = 0
    package var outputTokens = 0
    var finishReason: FinishReason?
    package var preemptions = 0

    package init() {}

    package var ttft: Double { firstToken - arrival }
    package var e2e: Double { finish - arrival }
    /// vLLM bench's TPOT: (E2E − TTFT) / (output tokens − 1); 0 for a single-token output.
    package var tpot: Double { outputTokens > 1 ? (finish - firstToken) / Double(outputTokens - 1) : 0 }
}

/// The part of a step that batch records and summaries need (compact: one per step of a long run).
package struct StepSummary: Sendable, Equatable {
    package var start: Double
    package var latency: Double
    package var batchSize: Int
    package var scheduledTokens: Int
    package var numRequests: Int
    package var forwardMode: ForwardMode
    package var expertActivation: Double
    package var forwardPassID: Int
    /// The step's ground-truth achieved bandwidth and FLOPS utilization (``StepCost``).
    package var bandwidthUtilization: Double
    package var flopsUtilization: Double

    package init(_ o: StepOutcome) {
        start = o.start
        latency = o.latency
        batchSize = o.batchSize
        scheduledTokens = o.scheduledTokens
        numRequests = o.numRequests
        forwardMode = o.forwardMode
        expertActivation = o.expertActivation
        forwardPassID = o.forwardPassID
        bandwidthUtilization = o.truth.bandwidthUtilization
        flopsUtilization = o.truth.flopsUtilization
    }

    /// The batch record of docs/sllm-api.md §4 (``BatchRecord``'s wire form, keys in the real backend's order).
    package func record(gpuNum: Int, gpuRawType: String) -> JSONValue {
        BatchRecord(
            batchSize: batchSize, latency: latency, seqLensSum: batchSize, forwardMode: forwardMode.rawValue,
            expertActivation: expertActivation, forwardPassID: forwardPassID, gpuNum: gpuNum, gpuRawType: gpuRawType
        ).json
    }
}

/// Everything a simulation produced: per-request timelines, per-step summaries and aggregates.
package struct SimulationResult: Sendable {
    package let config: EngineConfig
    /// Indexed like the workload's requests (sorted by arrival).
    package let timings: [RequestTiming]
    /// Every step, in order (empty when the run did not keep them).
    package let steps: [StepSummary]
    /// Clock at the end (s).
    package let simulatedSeconds: Double
    package let stepCount: Int
    let decodeSteps: Int
    let decodeLatencySum: Double
    let prefillSteps: Int
    let prefillLatencySum: Double
    let meanDecodeActivation: Double
    package let preemptions: Int
    let prefixHitTokens: Int
    let admittedPromptTokens: Int
    package let kvCacheTokens: Int
    /// Wall-clock seconds the expert router took (not deterministic; kept out of ``summary()``).
    package let routingWallSeconds: Double

    /// Mean of `f` over requests with indices in `range` (all by default).
    package func mean(_ f: (RequestTiming) -> Double, where include: (RequestTiming) -> Bool = { _ in true })
        -> Double
    {
        var sum = 0.0
        var count = 0
        for t in timings where include(t) {
            sum += f(t)
            count += 1
        }
        return count > 0 ? sum / Double(count) : 0
    }

    /// Percentile (0–100, nearest rank on sorted values) of `f` over all requests.
    package func percentile(_ p: Double, of f: (RequestTiming) -> Double) -> Double {
        let values = timings.map(f).sorted()
        guard !values.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up)) - 1
        return values[min(max(rank, 0), values.count - 1)]
    }

    package var totalOutputTokens: Int { timings.reduce(0) { $0 + $1.outputTokens } }

    /// The batch records, one per step, as a JSON array.
    package func recordsJSON() -> JSONValue {
        .array(steps.map { $0.record(gpuNum: config.tensorParallelSize, gpuRawType: config.gpu.key) })
    }

    /// `recordsJSON().serializedBytes(indent:)`, encoding one record at a time (a long run's records never exist
    /// as one JSON tree).
    package func recordsJSONBytes(indent: Int? = 2) -> [UInt8] {
        var all: [UInt8] = []
        writeRecordsJSON(indent: indent, chunkBytes: .max) { all = $0 }
        return all
    }

    /// ``recordsJSONBytes(indent:)`` handed to `sink` in pieces of about `chunkBytes`, in order (for a file: a
    /// long run's records are never held whole).
    ///
    /// With `indent` 2 (what `simulate` writes) each record is written straight into bytes: its keys, separators
    /// and whitespace as literals, its numbers and strings through the tree writer's own digit, float and escape
    /// code (``CompactJSONBytes``), so the bytes are exactly those of ``recordsJSON()`` serialised with indent 2
    /// (checked by EngineSimulationTests), without a `JSONValue` tree per record.
    package func writeRecordsJSON(indent: Int? = 2, chunkBytes: Int = 1 << 20, to sink: ([UInt8]) throws -> Void)
        rethrows
    {
        let gpuNum = config.tensorParallelSize
        let gpu = config.gpu.key
        guard indent == 2, !steps.isEmpty else {
            try JSONValue.streamArray(
                steps.lazy.map { $0.record(gpuNum: gpuNum, gpuRawType: gpu) }, indent: indent,
                chunkBytes: chunkBytes, to: sink)
            return
        }
        // Every record ends with the same two members and the closing brace.
        var tail = CompactJSONBytes()
        tail.raw(",\n    \"gpu_num\": ")
        tail.int(gpuNum)
        tail.raw(",\n    \"gpu_raw_type\": ")
        tail.string(gpu)
        tail.raw("\n  }")
        let tailBytes = tail.bytes
        var b = CompactJSONBytes()
        b.reserveCapacity(min(steps.count * (240 + tailBytes.count), chunkBytes) + 1024)
        b.raw("[")
        for (k, s) in steps.enumerated() {
            if k > 0 { b.raw(",") }
            b.raw("\n  {\n    \"batch_size\": ")
            b.int(s.batchSize)
            b.raw(",\n    \"latency\": ")
            b.double(s.latency)
            // seq_lens_sum is the batch size (``StepSummary/record(gpuNum:gpuRawType:)``).
            b.raw(",\n    \"seq_lens_sum\": ")
            b.int(s.batchSize)
            b.raw(",\n    \"forward_mode\": ")
            switch s.forwardMode {
            case .decode: b.raw("\"decode\"")
            case .prefill: b.raw("\"prefill\"")
            }
            b.raw(",\n    \"expert_activation\": ")
            b.double(s.expertActivation)
            b.raw(",\n    \"forward_pass_id\": ")
            b.int(s.forwardPassID)
            b.raw(bytes: tailBytes)
            if b.count >= chunkBytes {
                try sink(b.bytes)
                b.removeAll(keepingCapacity: true)
            }
        }
        b.raw("\n]")
        try sink(b.bytes)
    }

    /// Per-request timings as JSON Lines (keys: id, arrival_s, first_token_s, finish_s, prompt_tokens,
    /// output_tokens, ttft_s, tpot_s, e2e_s).
    package func timingsJSONL() -> String { String(decoding: timingsJSONLBytes(), as: UTF8.self) }

    /// UTF-8 bytes of ``timingsJSONL()``.
    package func timingsJSONLBytes() -> [UInt8] {
        var all: [UInt8] = []
        writeTimingsJSONL(chunkBytes: .max) { all = $0 }
        return all
    }

    /// Request `i`'s line of ``timingsJSONL()`` as a JSON tree (serialised with the default separators, it is the
    /// line's text; the writer writes the same bytes directly).
    package func timingJSON(_ i: Int) -> JSONValue {
        let t = timings[i]
        return .object(
            JSONObject([
                ("id", .int(i)), ("arrival_s", .double(t.arrival)), ("first_token_s", .double(t.firstToken)),
                ("finish_s", .double(t.finish)), ("prompt_tokens", .int(t.promptTokens)),
                ("output_tokens", .int(t.outputTokens)), ("ttft_s", .double(t.ttft)), ("tpot_s", .double(t.tpot)),
                ("e2e_s", .double(t.e2e)),
            ]))
    }

    /// ``timingsJSONLBytes()`` handed to `sink` in pieces of about `chunkBytes` (whole lines), in order. Each
    /// line is ``timingJSON(_:)`` serialised with the default separators, written straight into bytes (keys and
    /// separators as literals, numbers through the tree writer's code).
    package func writeTimingsJSONL(chunkBytes: Int = 1 << 20, to sink: ([UInt8]) throws -> Void) rethrows {
        var b = CompactJSONBytes()
        b.reserveCapacity(min(timings.count * 240, chunkBytes) + 1024)
        for (i, t) in timings.enumerated() {
            b.raw("{\"id\": ")
            b.int(i)
            b.raw(", \"arrival_s\": ")
            b.double(t.arrival)
            b.raw(", \"first_token_s\": ")
            b.double(t.firstToken)
            b.raw(", \"finish_s\": ")
            b.double(t.finish)
            b.raw(", \"prompt_tokens\": ")
            b.int(t.promptTokens)
            b.raw(", \"output_tokens\": ")
            b.int(t.outputTokens)
            b.raw(", \"ttft_s\": ")
            b.double(t.ttft)
            b.raw(", \"tpot_s\": ")
            b.double(t.tpot)
            b.raw(", \"e2e_s\": ")
            b.double(t.e2e)
            b.raw("}\n")
            if b.count >= chunkBytes {
                try sink(b.bytes)
                b.removeAll(keepingCapacity: true)
            }
        }
        try sink(b.bytes)
    }

    /// The run summary (wall time and routing cost are the caller's to add).
    package func summary() -> JSONObject {
        let first = timings.map(\.arrival).min() ?? 0
        let last = timings.map(\.finish).max() ?? 0
        let span = max(last - first, 1e-12)
        var o = JSONObject()
        o["model"] = .string(config.model.name)
        o["gpu"] = .string(config.gpu.key)
        o["gpu_num"] = .int(config.tensorParallelSize)
        o["requests"] = .int(timings.count)
        o["simulated_seconds"] = .double(simulatedSeconds)
        o["steps"] = .int(stepCount)
        o["records"] = .int(steps.count)
        o["ttft_mean_s"] = .double(mean(\.ttft))
        o["ttft_p50_s"] = .double(percentile(50, of: \.ttft))
        o["ttft_p99_s"] = .double(percentile(99, of: \.ttft))
        o["tpot_mean_s"] = .double(mean(\.tpot, where: { $0.outputTokens > 1 }))
        o["e2e_mean_s"] = .double(mean(\.e2e))
        o["input_tokens"] = .int(timings.reduce(0) { $0 + $1.promptTokens })
        o["output_tokens"] = .int(totalOutputTokens)
        o["output_tokens_per_s"] = .double(Double(totalOutputTokens) / span)
        o["requests_per_s"] = .double(Double(timings.count) / span)
        o["decode_steps"] = .int(decodeSteps)
        o["prefill_steps"] = .int(prefillSteps)
        o["decode_step_mean_s"] = .double(decodeSteps > 0 ? decodeLatencySum / Double(decodeSteps) : 0)
        o["prefill_step_mean_s"] = .double(prefillSteps > 0 ? prefillLatencySum / Double(prefillSteps) : 0)
        o["decode_expert_activation_mean"] = .double(meanDecodeActivation)
        o["preemptions"] = .int(preemptions)
        o["prefix_cache_hit_rate"] = .double(
            admittedPromptTokens > 0 ? Double(prefixHitTokens) / Double(admittedPromptTokens) : 0)
        o["kv_cache_tokens"] = .int(kvCacheTokens)
        o["routing"] = .string(config.routing.label)
        o["seed"] = .int(Int(truncatingIfNeeded: config.seed))
        return o
    }
}
