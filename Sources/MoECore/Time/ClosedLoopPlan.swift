/// What a closed-loop client declares about itself in the `X-Fake-SLLM-Closed-Loop` request header
/// (fake-sllm's docs/serving.md "Reproducible arrivals"; moecap-eval sends it in closed-loop runs): it sends `total` requests in all, keeps at most `workers` in
/// flight, and sends the next one as soon as an answer comes back. With it the server knows exactly how many
/// arrivals are still owed after any step, so a hold waits for those and no longer, and not on a timer.
///
/// Header value: `id=<client id>; total=<requests>; workers=<at most in flight>` (any order; unknown keys are
/// ignored). A value that does not parse is ignored: the request is treated as undeclared.
package struct ClosedLoopPlan: Sendable, Equatable {
    /// Tells clients apart (one run of an evaluator); requests of one client share it.
    package var client: String
    /// Requests the client sends in all (its warm-up and control calls aside).
    package var total: Int
    /// The most requests the client keeps in flight.
    package var workers: Int

    package init(client: String, total: Int, workers: Int) {
        self.client = client
        self.total = total
        self.workers = workers
    }

    /// The request header that carries a plan.
    package static let headerName = "X-Fake-SLLM-Closed-Loop"

    /// The header value that declares this plan.
    package var headerValue: String { "id=\(client); total=\(total); workers=\(workers)" }

    /// Parses a header value; nil unless it names an id, a total ≥ 1 and workers ≥ 1.
    package init?(headerValue: String) {
        var id: String?
        var total: Int?
        var workers: Int?
        for field in headerValue.split(separator: ";") {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmed
            let value = String(pair[1].trimmed)
            switch key {
            case "id": id = value.isEmpty ? nil : value
            case "total": total = Int(value)
            case "workers": workers = Int(value)
            default: continue
            }
        }
        guard let id, let total, total >= 1, let workers, workers >= 1 else { return nil }
        self.init(client: id, total: total, workers: workers)
    }

    /// The plan a request declares in its headers (names compared case-insensitively), if any.
    package static func declared(in headers: [(String, String)]) -> ClosedLoopPlan? {
        let name = headerName.lowercased()
        guard let value = headers.first(where: { $0.0.lowercased() == name })?.1 else { return nil }
        return ClosedLoopPlan(headerValue: value)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmed: Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return self[start...end]
    }
}
