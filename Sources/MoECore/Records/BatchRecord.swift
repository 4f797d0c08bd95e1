/// One forward-pass record as written by ServerlessLLM's `vllm_moecap` backend (docs/sllm-api.md §4) and read by
/// MoE-CAP's `_calculate_continuous_metrics` (docs/moecap-metrics.md §1).
///
/// The eight core keys come first, in the backend's order; the optional MoE-CAP fields (`per_req_info`,
/// `scheduled_tokens`) and anything else follow. Reading is tolerant the way Python is: an integer field accepts
/// an integral float (`16.0`), a float field accepts an integer.
package struct BatchRecord: Sendable, Equatable {
    /// `batch_size`. In the sllm vLLM backend: tokens in the step after CUDA-graph padding, not requests (§4).
    package var batchSize: Int
    /// `latency`: forward-pass wall time in **seconds**.
    package var latency: Double
    /// `seq_lens_sum`. vLLM: tokens scheduled in the step (= `batch_size`); SGLang: running context total (§13).
    package var seqLensSum: Int
    /// `forward_mode`: `"prefill"` or `"decode"` (MoE-CAP treats anything but `"prefill"` as decode, §4).
    package var forwardMode: String
    /// `expert_activation`: mean distinct experts hit per MoE layer. nil (absent or null) ⇒ MoE-CAP skips the record.
    package var expertActivation: Double?
    /// `forward_pass_id`: per-worker step counter; the same id on several records means per-TP-rank copies.
    package var forwardPassID: Int?
    /// `gpu_num`: TP×PP world size; MoE-CAP's `num_gpus` is the first record's value.
    package var gpuNum: Int?
    /// `gpu_raw_type`: MoE-CAP hardware-table key, e.g. `NVIDIA-H100-HBM3-80GB`.
    package var gpuRawType: String?
    /// `per_req_info` (prefill records of MoE-CAP's own recorders; §1).
    package var perReqInfo: [PerRequestChunk]?
    /// `scheduled_tokens` (MoE-CAP's engine-uniform token count; optional).
    package var scheduledTokens: Int?
    /// Every other key (`req_ids`, …), in its original order.
    package var extra: JSONObject

    package init(
        batchSize: Int, latency: Double, seqLensSum: Int, forwardMode: String, expertActivation: Double? = nil,
        forwardPassID: Int? = nil, gpuNum: Int? = nil, gpuRawType: String? = nil,
        perReqInfo: [PerRequestChunk]? = nil, scheduledTokens: Int? = nil, extra: JSONObject = JSONObject()
    ) {
        self.batchSize = batchSize
        self.latency = latency
        self.seqLensSum = seqLensSum
        self.forwardMode = forwardMode
        self.expertActivation = expertActivation
        self.forwardPassID = forwardPassID
        self.gpuNum = gpuNum
        self.gpuRawType = gpuRawType
        self.perReqInfo = perReqInfo
        self.scheduledTokens = scheduledTokens
        self.extra = extra
    }

    /// The eight keys of docs/sllm-api.md §4, in the backend's (Python dict insertion) order.
    package static let coreKeys = [
        "batch_size", "latency", "seq_lens_sum", "forward_mode", "expert_activation", "forward_pass_id", "gpu_num",
        "gpu_raw_type",
    ]
    private static let knownKeys = Set(coreKeys + ["per_req_info", "scheduled_tokens"])

    /// Reads a record object.
    /// - Throws: ``BatchRecordError`` naming the missing or mistyped field. `batch_size`, `latency`,
    ///   `seq_lens_sum` and `forward_mode` are required (MoE-CAP indexes them directly, §4); the rest may be
    ///   absent or null.
    package init(json: JSONValue) throws(BatchRecordError) {
        guard let object = json.objectValue else {
            throw BatchRecordError(field: "", problem: "must be a JSON object, got \(json.pythonTypeName)")
        }
        let r = RecordFieldReader(object: object)
        batchSize = try r.int("batch_size")
        latency = try r.double("latency")
        seqLensSum = try r.int("seq_lens_sum")
        forwardMode = try r.string("forward_mode")
        expertActivation = try r.optionalDouble("expert_activation")
        forwardPassID = try r.optionalInt("forward_pass_id")
        gpuNum = try r.optionalInt("gpu_num")
        gpuRawType = try r.optionalString("gpu_raw_type")
        if let v = object["per_req_info"], !v.isNull {
            guard let items = v.arrayValue else {
                throw BatchRecordError(field: "per_req_info", problem: "must be a list, got \(v.pythonTypeName)")
            }
            var chunks: [PerRequestChunk] = []
            chunks.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                do {
                    chunks.append(try PerRequestChunk(json: item))
                } catch {
                    throw error.nested(under: "per_req_info[\(i)]")
                }
            }
            perReqInfo = chunks
        } else {
            perReqInfo = nil
        }
        scheduledTokens = try r.optionalInt("scheduled_tokens")
        extra = r.extras(excluding: Self.knownKeys)
    }

    /// Reads a list of records (the `records` array of `/dump_batch_recording`).
    /// - Throws: ``BatchRecordError`` with the index of the first bad record.
    package static func list(from json: JSONValue) throws(BatchRecordError) -> [BatchRecord] {
        guard let items = json.arrayValue else {
            throw BatchRecordError(field: "", problem: "records must be a list, got \(json.pythonTypeName)")
        }
        var out: [BatchRecord] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            do {
                out.append(try BatchRecord(json: item))
            } catch {
                throw error.at(i)
            }
        }
        return out
    }

    /// The record as JSON: the eight keys of docs/sllm-api.md §4 in order (absent optional ones omitted), then
    /// `per_req_info`, `scheduled_tokens` and ``extra``.
    package var json: JSONValue {
        var o = JSONObject()
        o["batch_size"] = .int(batchSize)
        o["latency"] = .double(latency)
        o["seq_lens_sum"] = .int(seqLensSum)
        o["forward_mode"] = .string(forwardMode)
        if let expertActivation { o["expert_activation"] = .double(expertActivation) }
        if let forwardPassID { o["forward_pass_id"] = .int(forwardPassID) }
        if let gpuNum { o["gpu_num"] = .int(gpuNum) }
        if let gpuRawType { o["gpu_raw_type"] = .string(gpuRawType) }
        if let perReqInfo { o["per_req_info"] = .array(perReqInfo.map(\.json)) }
        if let scheduledTokens { o["scheduled_tokens"] = .int(scheduledTokens) }
        for (k, v) in extra.pairs where o[k] == nil { o[k] = v }
        return .object(o)
    }

    /// Whether MoE-CAP counts this record as prefill (`forward_mode == "prefill"`, exact and case-sensitive);
    /// every other mode (`decode`, `decoding`, `mixed`, `unknown`) is decode (docs/moecap-metrics.md §4).
    package var isPrefill: Bool { forwardMode == "prefill" }
}

extension BatchRecord {
    /// Removes per-tensor-parallel-rank copies: the sllm backend writes every step once per TP worker, with the
    /// same `forward_pass_id` (docs/sllm-api.md §4, "Multiplicity"). The first occurrence is kept, order preserved;
    /// records without an id are all kept.
    ///
    /// The key is the pair (`forward_pass_id`, `forward_mode`): rank copies share both, while MoE-CAP's own vLLM
    /// recorder may split one mixed pass into a prefill and a decode record (§1) that must both survive.
    package static func deduplicated(_ records: [BatchRecord]) -> [BatchRecord] {
        struct Key: Hashable {
            let id: Int
            let mode: String
        }
        var seen = Set<Key>()
        var out: [BatchRecord] = []
        out.reserveCapacity(records.count)
        for r in records {
            if let id = r.forwardPassID {
                guard seen.insert(Key(id: id, mode: r.forwardMode)).inserted else { continue }
            }
            out.append(r)
        }
        return out
    }
}
