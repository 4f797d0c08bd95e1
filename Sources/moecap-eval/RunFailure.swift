/// A failure at run time (a file that cannot be read, a server that does not answer): thrown, and printed by
/// `MoECAPEvalCommand.main` as one line `moecap-eval: …` with exit status 1. Bad flags are `ValidationError`s,
/// thrown from `validate()` before anything runs. fake-sllm has the same type (docs/architecture.md).
struct RunFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
