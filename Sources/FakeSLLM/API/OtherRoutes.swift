import MoECore
import SimEngine

/// The fine-tuning job ids handed out (the simulator does not fine-tune; jobs stay `pending`).
final class FineTuningJobs: Sendable {
    private let jobs = Locked<[String: String]>([:])
    func create() -> String {
        let id = uuid4()
        jobs.withLock { $0[id] = "pending" }
        return id
    }
    func status(_ id: String, cancel: Bool) -> String? {
        jobs.withLock { j in
            guard j[id] != nil else { return nil }
            if cancel { j[id] = "cancelled" }
            return j[id]
        }
    }
}

extension SLLMAPI {
    /// `POST /v1/embeddings` (§3.8): deterministic unit vectors of the model's hidden size.
    ///
    /// Bounded before any vector is made (docs/http.md, "Answer budget"): at most
    /// ``AnswerBudget/maxEmbeddingInputs`` inputs and an answer within ``AnswerBudget/maxAnswerBytes``. The body
    /// is written a few vectors at a time as the client reads it, never built whole.
    func embeddings(_ r: HTTPRequest) -> Reply {
        let body: JSONObject
        let d: Deployment
        switch inferenceTarget(r) {
        case .failure(let e): return .now(e.response)
        case .success(let target): (body, d) = target
        }
        let model = body["model"] ?? .null
        var inputs: [String] = []
        switch body["input"] {
        case .string(let s)?: inputs = [s]
        case .array(let a)?: inputs = a.compactMap(\.stringValue)
        default: break
        }
        guard !inputs.isEmpty else { return .now(.json(["error": "No inputs provided"])) }
        guard inputs.count <= budget.maxEmbeddingInputs else {
            return .now(
                .json([
                    "error": .string(
                        "Too many inputs: \(inputs.count), at most \(budget.maxEmbeddingInputs) per request")
                ]))
        }
        let dim = min(d.engineConfig.model.hiddenSize, 4096)
        if let refusal = budget.refusal(
            bytes: AnswerBudget.embeddingBytes(inputs: inputs.count, dimensions: dim),
            hint: "send fewer inputs per request")
        {
            return .now(.json(["error": .string(refusal)]))
        }
        let tokens = inputs.reduce(0) { $0 + TokenEstimator.count($1) }
        return .stream(
            PiecewiseJSONBody.stream(
                head: [("object", "list")], key: "data", count: inputs.count, perPiece: 4,
                tail: [("model", model), ("usage", ["query_tokens": .int(tokens), "total_tokens": .int(tokens)])]
            ) { [inputs] range in
                range.map { i in
                    var rng = SimRandom(seed: stableHash(inputs[i].utf8))
                    var v = (0..<dim).map { _ in rng.uniform() - 0.5 }
                    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    v = v.map { $0 / norm }
                    return .object(
                        JSONObject([
                            ("object", "embedding"), ("index", .int(i)), ("embedding", .array(v.map { .double($0) })),
                        ]))
                }
            })
    }

    /// `POST /v1/fine-tuning/jobs` (§3.8).
    func createFineTuningJob(_ r: HTTPRequest) -> Reply {
        guard let body = objectBody(r) else { return .now(.internalServerError) }
        guard let model = body["model"], model.isTruthy else {
            return .now(.detail("Missing model_name in request body", status: 400))
        }
        return .now(.json(["job_id": .string(fineTuning.create())]))
    }

    /// `GET /v1/fine_tuning/jobs/{id}` and `POST …/cancel` (§3.8).
    func fineTuningJob(_ id: String, cancel: Bool) -> Reply {
        guard let status = fineTuning.status(id, cancel: cancel) else {
            return .now(.detail("Job \(id) not found", status: 404))
        }
        return .now(.json(["id": .string(id), "object": "fine_tuning.job", "status": .string(status)]))
    }
}
