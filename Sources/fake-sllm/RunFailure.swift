/// A failure at run time (a file that cannot be read, a port in use): thrown, and printed by `FakeSLLMCommand.main`
/// as one line `fake-sllm: error: …` with exit status 1. Bad flags are `ValidationError`s, thrown from `validate()`
/// before anything runs. moecap-eval has the same type (docs/architecture.md).
struct RunFailure: Error, CustomStringConvertible {
    let description: String
}

/// The failure to throw for `message`: `throw runFailure("…")`.
func runFailure(_ message: String) -> RunFailure { RunFailure(description: "error: " + message) }
