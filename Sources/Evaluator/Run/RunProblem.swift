/// A reason a finished run is not a success (the files are written anyway); the command exits non-zero when any
/// is present. Each reads as the real cause, never as a guess (docs/evaluator.md "Verdicts"). A value type:
/// `Sendable`.
package enum RunProblem: Sendable, Equatable, CustomStringConvertible {
    /// The warm-up could not connect: nothing was sent.
    case serverUnreachable(url: String, reason: String)
    /// The warm-up got no answer within `--timeout`: nothing was sent.
    case warmUpTimedOut(url: String, seconds: Double)
    /// Batch recording did not start; requests were still sent (their answers are in the files).
    case recordingRefused(RecordingRefusal)
    /// Every request that was sent failed; `errors` are the distinct reasons, most frequent first.
    case allRequestsFailed(count: Int, errors: [ErrorCount])
    /// Some (not all) requests failed and `--allow-failures` was not given; their answers are in the files.
    case someRequestsFailed(count: Int, of: Int, errors: [ErrorCount])
    /// Stopping or dumping the recording after the requests could not reach the server.
    case serverLost(ServerFailure)
    /// No instance was ready at the dump: the one that recorded was retired (ServerlessLLM's keep_alive).
    case instanceRetired(String)
    /// Another instance answered the dump than the one that started recording: the recording was lost.
    case instanceReplaced(started: String, dumped: String)
    /// The dump failed for another reason.
    case dumpFailed(ServerFailure)
    /// Recording ran and requests succeeded, but the dump holds no records.
    case noRecords
    /// Ctrl-C or SIGTERM stopped the run early.
    case interrupted

    /// One failure reason and how many requests ended with it.
    package struct ErrorCount: Sendable, Equatable {
        package var message: String
        package var count: Int
    }

    package var description: String {
        switch self {
        case .serverUnreachable(let url, let reason):
            return "✗ Server unreachable at \(url): \(reason)\nNothing was sent. Is the server running "
                + "(moecap-eval check --server-url \(url) --model M tells what works)?"
        case .warmUpTimedOut(let url, let seconds):
            return "✗ The warm-up request to \(url) got no answer within --timeout \(seconds) s; nothing was sent.\n"
                + "A cold start can take minutes: raise --timeout, or check the server's log."
        case .recordingRefused(let refusal):
            return refusal.advice
        case .allRequestsFailed(let count, let errors):
            var lines = ["✗ All \(count) requests failed. The server's answers:"]
            for e in errors.prefix(3) { lines.append("  \(e.count)× \(e.message)") }
            if errors.count > 3 { lines.append("  … and \(errors.count - 3) other reasons") }
            return lines.joined(separator: "\n")
        case .someRequestsFailed(let count, let total, let errors):
            var lines = [
                "✗ \(count) of \(total) requests failed (--allow-failures accepts such a run). The server's answers:"
            ]
            for e in errors.prefix(3) { lines.append("  \(e.count)× \(e.message)") }
            if errors.count > 3 { lines.append("  … and \(errors.count - 3) other reasons") }
            return lines.joined(separator: "\n")
        case .serverLost(let failure):
            return "✗ The server stopped answering after the requests were sent: \(failure)\n"
                + "No batch data could be dumped; the responses received are in the output files."
        case .instanceRetired(let id):
            return "✗ No instance was ready for the dump: the instance that recorded (\(id)) was retired, "
                + "its records are lost.\nServerlessLLM stops an idle instance after keep_alive; raise "
                + "auto_scaling_config.keep_alive or set min_instances ≥ 1."
        case .instanceReplaced(let started, let dumped):
            return "✗ The recording started on instance \(started) but instance \(dumped) answered the dump: the "
                + "first was retired or restarted and its records are lost.\nServerlessLLM stops an idle instance "
                + "after keep_alive; raise auto_scaling_config.keep_alive or set min_instances ≥ 1."
        case .dumpFailed(let failure):
            return "✗ dump_batch_recording failed: \(failure)"
        case .noRecords:
            return """
                ✗ No batch data collected. Check if backend is vllm_moecap.
                This can happen if:
                  1. The model wasn't deployed with vllm_moecap backend
                  2. No inference requests were processed during recording
                  3. Recording wasn't started successfully
                """
        case .interrupted:
            return "interrupted: results so far were written"
        }
    }
}
