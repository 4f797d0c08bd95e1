import MoECore

/// Reads a request trace: JSON Lines, one request per line,
/// `{"arrival_s": 0.25, "prompt_tokens": 512, "output_tokens": 128}`.
///
/// Optional members: `max_tokens` (default: `output_tokens`, so the request stops by length), `ignore_eos`
/// (bool), and `prefix_id` with `prefix_tokens`: requests with the same `prefix_id` share their first
/// `prefix_tokens` prompt tokens (for prefix caching). Other members are ignored; blank lines are skipped. Lines
/// may come in any order (they are sorted by arrival).
package enum TraceReader {
    /// Parses the whole trace text.
    /// - Throws: ``SimulationInputError`` naming the line and the problem.
    package static func parse(_ text: String, maxConcurrency: Int? = nil, blockSize: Int = 16, seed: UInt64 = 0)
        throws(SimulationInputError) -> Workload
    {
        var requests: [WorkloadRequest] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndCarriageReturns)
            if trimmed.isEmpty { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(String(trimmed))
            } catch {
                throw SimulationInputError("trace line \(lineNumber): invalid JSON (\(error))")
            }
            guard case .object = value else {
                throw SimulationInputError("trace line \(lineNumber): expected a JSON object")
            }
            func number(_ key: String) throws(SimulationInputError) -> Double {
                guard let v = value[key] else {
                    throw SimulationInputError("trace line \(lineNumber): missing \"\(key)\"")
                }
                guard let d = v.doubleValue, d.isFinite, v.boolValue == nil else {
                    throw SimulationInputError("trace line \(lineNumber): \"\(key)\" must be a number")
                }
                return d
            }
            func count(_ key: String, minimum: Int) throws(SimulationInputError) -> Int {
                let d = try number(key)
                guard d.rounded() == d, d >= Double(minimum), d < 1e9 else {
                    throw SimulationInputError(
                        "trace line \(lineNumber): \"\(key)\" must be an integer ≥ \(minimum), got \(d)")
                }
                return Int(d)
            }
            let arrival = try number("arrival_s")
            guard arrival >= 0 else {
                throw SimulationInputError("trace line \(lineNumber): \"arrival_s\" must be ≥ 0, got \(arrival)")
            }
            let prompt = try count("prompt_tokens", minimum: 1)
            let output = try count("output_tokens", minimum: 1)
            let maxTokens = value["max_tokens"] == nil ? output : try count("max_tokens", minimum: 1)
            var ignoreEOS = false
            if let v = value["ignore_eos"] {
                guard let b = v.boolValue else {
                    throw SimulationInputError("trace line \(lineNumber): \"ignore_eos\" must be true or false")
                }
                ignoreEOS = b
            }
            var group = -1
            var shared = 0
            if value["prefix_id"] != nil {
                group = try count("prefix_id", minimum: 0)
                shared = try count("prefix_tokens", minimum: 0)
            }
            let hashes = SyntheticWorkload.promptHashes(
                tokens: prompt, sharedPrefix: group >= 0 ? shared : 0, group: max(group, 0),
                prompt: 1_000_000 + requests.count, blockSize: blockSize, seed: seed)
            requests.append(
                WorkloadRequest(
                    arrival: arrival, promptTokens: prompt, outputTokens: output, maxTokens: maxTokens,
                    ignoreEOS: ignoreEOS, prefixBlockHashes: hashes))
        }
        guard !requests.isEmpty else { throw SimulationInputError("trace has no requests") }
        return Workload(requests: requests, maxConcurrency: maxConcurrency)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: TrimSet) -> Substring {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return s
    }
}

private struct TrimSet {
    static let whitespacesAndCarriageReturns = TrimSet()
    func contains(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" }
}
