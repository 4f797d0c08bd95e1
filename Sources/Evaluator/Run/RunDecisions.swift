import MoECore

/// Whether the dataset is sent, decided from the warm-up's outcome (not from any message text).
enum SendDecision: Sendable, Equatable {
    case send
    /// Nothing is sent: the server could not be reached, or the run was interrupted first.
    case skip(RunProblem)

    /// Send unless the warm-up could not connect at all or the user interrupted it. Any other warm-up failure
    /// (a 500 for an unknown model, an error answer, a timeout) still sends: the requests' own answers then say
    /// what is wrong.
    static func after(warmUp: ServerAnswer, serverURL: String, interrupted: Bool) -> SendDecision {
        if interrupted { return .skip(.interrupted) }
        if let f = warmUp.failure, f.isUnreachable {
            return .skip(.serverUnreachable(url: serverURL, reason: f.message))
        }
        return .send
    }
}

/// The batch recording's state after the start call.
enum RecordingStart: Sendable, Equatable {
    /// Not attempted (nothing is sent).
    case skipped
    /// Recording; `expert` says whether expert-distribution recording started too.
    case recording(instanceID: String?, expert: Bool)
    case refused(RecordingRefusal)

    var isRecording: Bool {
        if case .recording = self { return true }
        return false
    }
}

/// What the stop and dump calls brought back.
struct RecordingCollection: Sendable {
    /// The raw `/dump_batch_recording` answer (or an error object), written to `batch_data.json`.
    var dump: JSONValue
    var records: [JSONValue]
    /// Why the dump failed, if it did.
    var dumpFailure: ServerFailure?
    /// The raw `/dump_expert_distribution` answer, when expert recording ran.
    var expertDump: JSONValue?
    /// The simulator's per-step ground truth, when the server offers it.
    var groundTruth: [JSONValue]?

    static let none = RecordingCollection(dump: .object(.init()), records: [], dumpFailure: nil)
}

/// The problems of a finished run, from the values each phase produced.
enum RunVerdict {
    static func problems(
        decision: SendDecision, recording: RecordingStart, outcomes: [RequestOutcome],
        collection: RecordingCollection, interrupted: Bool
    ) -> [RunProblem] {
        var problems: [RunProblem] = []
        if case .skip(let why) = decision { problems.append(why) }
        if case .refused(let refusal) = recording { problems.append(.recordingRefused(refusal)) }
        let failed = outcomes.filter { !$0.succeeded }
        let allFailed = !outcomes.isEmpty && failed.count == outcomes.count
        if allFailed { problems.append(.allRequestsFailed(count: failed.count, errors: errorCounts(failed))) }
        if recording.isRecording {
            if let f = collection.dumpFailure {
                problems.append(f.isUnreachable ? .serverLost(f) : .dumpFailed(f))
            } else if collection.records.isEmpty, !allFailed {
                problems.append(.noRecords)
            }
        }
        if interrupted, !problems.contains(.interrupted) { problems.append(.interrupted) }
        return problems
    }

    /// Distinct failure messages, most frequent first (ties in order of first appearance).
    static func errorCounts(_ failed: [RequestOutcome]) -> [RunProblem.ErrorCount] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for o in failed {
            let m = o.error ?? "unknown error"
            if counts[m] == nil { order.append(m) }
            counts[m, default: 0] += 1
        }
        let ranked = order.enumerated().sorted { a, b in
            counts[a.element]! != counts[b.element]! ? counts[a.element]! > counts[b.element]! : a.offset < b.offset
        }
        return ranked.map { RunProblem.ErrorCount(message: $0.element, count: counts[$0.element]!) }
    }
}
