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
        let dim = min(d.engineConfig.model.hiddenSize, 4096)
        var tokens = 0
        let data: [JSONValue] = inputs.enumerated().map { i, text in
            tokens += TokenEstimator.count(text)
            var rng = SimRandom(seed: stableHash(text.utf8))
            var v = (0..<dim).map { _ in rng.uniform() - 0.5 }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            return .object(
                JSONObject([
                    ("object", "embedding"), ("index", .int(i)), ("embedding", .array(v.map { .double($0) })),
                ]))
        }
        return .now(
            .json(
                .object(
                    JSONObject([
                        ("object", "list"), ("data", .array(data)), ("model", model),
                        ("usage", ["query_tokens": .int(tokens), "total_tokens": .int(tokens)]),
                    ]))))
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
