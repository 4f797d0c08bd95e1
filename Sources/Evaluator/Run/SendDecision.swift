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
