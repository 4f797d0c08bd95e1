import ArgumentParser
import Foundation

/// `--api-key`, shared by `run` and `check`: the key of a server started with `--api-key` (`fake-sllm`,
/// `vllm serve`), sent as `Authorization: Bearer KEY` on every request (docs/evaluator.md "Access").
struct APIKeyOption: ParsableArguments {
    @Option(
        name: .customLong("api-key"),
        help: "API key of the server, sent as 'Authorization: Bearer KEY' (default: the OPENAI_API_KEY variable).")
    var flag: String?

    /// The key to send: the flag, else a non-empty `OPENAI_API_KEY` (what vLLM's own benchmark clients read).
    var value: String? {
        if let flag { return flag }
        let env = ProcessInfo.processInfo.environment["OPENAI_API_KEY"] ?? ""
        return env.isEmpty ? nil : env
    }

    func validate() throws {
        if flag?.isEmpty == true { throw ValidationError("--api-key must not be empty (leave it out for no key)") }
    }
}
