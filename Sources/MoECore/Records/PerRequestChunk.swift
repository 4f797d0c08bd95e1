/// One request's share of a prefill forward pass: an entry of a record's `per_req_info` list
/// (docs/moecap-metrics.md §1, record schema). vLLM's `vllm_moecap` backend in ServerlessLLM does not emit it; MoE-CAP's
/// own recorders (and `fake-sllm` as an extension) do. When present, MoE-CAP measures TTFT per request (§4).
package struct PerRequestChunk: Sendable, Equatable {
    /// `req_id` (SGLang `"{pool_idx}_{counter}"`, vLLM the request id). An integer id is read as its decimal text.
    package var reqId: String?
    /// `req_pool_idx` (SGLang's KV pool slot); MoE-CAP's fallback key when `req_id` is absent (§4).
    package var reqPoolIdx: Int?
    /// `extend_len`: tokens of this request computed in this pass (this chunk).
    package var extendLen: Int?
    /// `total_len`: SGLang the running computed total (cached prefix included); vLLM the prompt length.
    package var totalLen: Int?
    /// `prompt_len`.
    package var promptLen: Int?
    /// `is_last_chunk`: whether this chunk completes the request's prefill.
    package var isLastChunk: Bool?
    /// Any other keys (`orig_len`, …), in their order.
    package var extra: JSONObject

    package init(
        reqId: String? = nil, reqPoolIdx: Int? = nil, extendLen: Int? = nil, totalLen: Int? = nil,
        promptLen: Int? = nil, isLastChunk: Bool? = nil, extra: JSONObject = JSONObject()
    ) {
        self.reqId = reqId
        self.reqPoolIdx = reqPoolIdx
        self.extendLen = extendLen
        self.totalLen = totalLen
        self.promptLen = promptLen
        self.isLastChunk = isLastChunk
        self.extra = extra
    }

    static let knownKeys: Set<String> = [
        "req_id", "req_pool_idx", "extend_len", "total_len", "prompt_len", "is_last_chunk",
    ]

    /// Reads one `per_req_info` entry.
    /// - Throws: ``BatchRecordError`` naming the bad field.
    package init(json: JSONValue) throws(BatchRecordError) {
        guard let object = json.objectValue else {
            throw BatchRecordError(field: "", problem: "must be an object, got \(json.pythonTypeName)")
        }
        let r = RecordFieldReader(object: object)
        if let v = object["req_id"], case .int(let i) = v {
            reqId = String(i)
        } else {
            reqId = try r.optionalString("req_id")
        }
        reqPoolIdx = try r.optionalInt("req_pool_idx")
        extendLen = try r.optionalInt("extend_len")
        totalLen = try r.optionalInt("total_len")
        promptLen = try r.optionalInt("prompt_len")
        isLastChunk = try r.optionalBool("is_last_chunk")
        extra = r.extras(excluding: Self.knownKeys)
    }

    /// The entry as JSON: the known keys in schema order (omitting absent ones), then ``extra``.
    package var json: JSONValue {
        var o = JSONObject()
        if let reqId { o["req_id"] = .string(reqId) }
        if let reqPoolIdx { o["req_pool_idx"] = .int(reqPoolIdx) }
        if let extendLen { o["extend_len"] = .int(extendLen) }
        if let totalLen { o["total_len"] = .int(totalLen) }
        if let promptLen { o["prompt_len"] = .int(promptLen) }
        if let isLastChunk { o["is_last_chunk"] = .bool(isLastChunk) }
        for (k, v) in extra.pairs where o[k] == nil { o[k] = v }
        return .object(o)
    }
}
