/// The problems of a finished run, from the values each phase produced.
enum RunVerdict {
    static func problems(
        decision: SendDecision, recording: RecordingStart, outcomes: [RequestOutcome],
        collection: RecordingCollection, interrupted: Bool, allowFailures: Bool = false
    ) -> [RunProblem] {
        var problems: [RunProblem] = []
        if case .skip(let why) = decision { problems.append(why) }
        if case .refused(let refusal) = recording { problems.append(.recordingRefused(refusal)) }
        // Requests cancelled by an interruption are not failures of the server.
        let judged = interrupted ? outcomes.filter { $0.failureCause != .transport(.cancelled) } : outcomes
        let failed = judged.filter { !$0.succeeded }
        let allFailed = !judged.isEmpty && failed.count == judged.count
        if allFailed {
            problems.append(.allRequestsFailed(count: failed.count, errors: errorCounts(failed)))
        } else if !failed.isEmpty, !allowFailures {
            problems.append(.someRequestsFailed(count: failed.count, of: judged.count, errors: errorCounts(failed)))
        }
        if case .recording(let startedOn, _) = recording {
            let dumpedFrom = collection.dump["instance_id"]?.stringValue
            if let f = collection.dumpFailure {
                if f.isUnreachable {
                    problems.append(.serverLost(f))
                } else if RecordingRefusal(f) == .noReadyInstance {
                    problems.append(.instanceRetired(startedOn ?? "?"))
                } else {
                    problems.append(.dumpFailed(f))
                }
            } else if let startedOn, let dumpedFrom, startedOn != dumpedFrom {
                problems.append(.instanceReplaced(started: startedOn, dumped: dumpedFrom))
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
