import MoECore

/// One response's simulated timeline and how the client sees it (docs/serving.md "Timing the client can see"):
/// `X-Fake-SLLM-*` headers on whole responses, an SSE comment line before each streamed event. Shared by both
/// API modes' jobs. A plain value; the job keeps it behind its lock.
struct SimulatedTimes: Sendable {
    /// When the request arrived (as the host assigned it), its first token came and it finished.
    var arrival: Double?
    var firstToken: Double?
    var finish: Double?
    /// A whole answer completed before the host's arrival time reached the submitting thread: it is rendered when
    /// that time arrives (``arrive(at:)``), so it never lacks its headers (docs/serving.md).
    private(set) var answerAwaitsArrival = false

    /// Whether a whole answer complete now must wait for the arrival time (and remembers that it waits).
    mutating func holdsAnswerUntilArrival() -> Bool {
        guard arrival == nil else { return false }
        answerAwaitsArrival = true
        return true
    }

    /// The host's arrival time came back (the first one counts). Returns whether an answer was waiting for it.
    mutating func arrive(at sim: Double) -> Bool {
        if arrival == nil { arrival = sim }
        defer { answerAwaitsArrival = false }
        return answerAwaitsArrival
    }

    /// `count` tokens came at simulated time `time`.
    mutating func tokens(_ count: Int, at time: Double) {
        if count > 0, firstToken == nil { firstToken = time }
    }

    /// The headers of a whole response.
    var headers: [(String, String)] {
        guard let arrival else { return [] }
        var out = [("X-Fake-SLLM-Arrival-S", JSONValue.pythonFloatText(arrival))]
        if let firstToken {
            out.append(("X-Fake-SLLM-First-Token-S", JSONValue.pythonFloatText(firstToken)))
            out.append(("X-Fake-SLLM-TTFT-S", JSONValue.pythonFloatText(firstToken - arrival)))
        }
        if let finish { out.append(("X-Fake-SLLM-Finish-S", JSONValue.pythonFloatText(finish))) }
        return out
    }

    /// The request log's timing fields: simulated TTFT and E2E in milliseconds.
    var logFields: String {
        let start = arrival ?? 0
        func ms(_ t: Double?) -> String { t.map { "\(Int((($0 - start) * 1000).rounded()))ms" } ?? "-" }
        return "sim_ttft=\(ms(firstToken)) sim_e2e=\(ms(finish))"
    }

    /// The SSE comment line that precedes an event produced at simulated time `time`.
    static func stamp(_ time: Double) -> [UInt8] {
        var b = CompactJSONBytes()
        writeStamp(time, into: &b)
        return b.take()
    }

    /// Appends ``stamp(_:)``'s line to `b`.
    static func writeStamp(_ time: Double, into b: inout CompactJSONBytes) {
        b.raw(": fake-sllm sim_t=")
        b.double(time)
        b.raw("\n")
    }
}
