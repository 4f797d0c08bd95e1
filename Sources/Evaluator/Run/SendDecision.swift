/// Whether the dataset is sent, decided from the warm-up's outcome (not from any message text).
enum SendDecision: Sendable, Equatable {
    case send
    /// Nothing is sent: the server could not be reached, or the run was interrupted first.
    case skip(RunProblem)

    /// Send unless the warm-up could not connect at all, got no answer within `--timeout` (every request would
    /// wait as long), or the user interrupted it. Any other warm-up failure (a 500 for an unknown model, an error
    /// answer) still sends: the requests' own answers then say what is wrong.
    static func after(warmUp failure: ServerFailure?, serverURL: String, timeout: Double, interrupted: Bool)
        -> SendDecision
    {
        if interrupted { return .skip(.interrupted) }
        guard let f = failure else { return .send }
        if f.isUnreachable { return .skip(.serverUnreachable(url: serverURL, reason: f.message)) }
        if f.cause == .transport(.timeout) { return .skip(.warmUpTimedOut(url: serverURL, seconds: timeout)) }
        return .send
    }
}
