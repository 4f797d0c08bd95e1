import MoECore

/// The answer of a ServerlessLLM call, judged as the real server means it (docs/evaluator.md, "Judging answers"):
/// non-2xx, a body that is not a JSON object, and HTTP 200 bodies holding `"error"` or `"status": "error"` are
/// failures.
enum ServerAnswer: Sendable {
    case ok(JSONValue)
    case failed(ServerFailure)

    var value: JSONValue? {
        if case .ok(let v) = self { return v }
        return nil
    }

    var failure: ServerFailure? {
        if case .failed(let f) = self { return f }
        return nil
    }

    /// Judges a status and body.
    static func judge(status: Int, body: [UInt8]) -> ServerAnswer {
        let parsed = try? JSONValue.parse(body)
        guard (200..<300).contains(status) else {
            let detail: String
            if let json = parsed {
                detail = json["detail"].map { $0.stringValue ?? $0.serialized() } ?? json.serialized()
            } else {
                detail = excerpt(body)
            }
            return .failed(ServerFailure(.status(status), detail))
        }
        guard let json = parsed, json.objectValue != nil else {
            let what = parsed == nil ? "not JSON" : "not a JSON object"
            return .failed(ServerFailure(.malformed, "HTTP \(status) answer is \(what): \(excerpt(body))"))
        }
        if let error = json["error"], !error.isNull {
            let message = error.stringValue ?? error["message"]?.stringValue ?? error.serialized()
            return .failed(ServerFailure(.errorAnswer, message))
        }
        if json["status"] == "error" {
            return .failed(ServerFailure(.errorAnswer, json["message"]?.stringValue ?? json.serialized()))
        }
        return .ok(json)
    }

    /// The first 200 bytes of a body, for messages.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        if text.isEmpty { return "empty body" }
        return body.count > 200 ? text + "…" : text
    }
}
