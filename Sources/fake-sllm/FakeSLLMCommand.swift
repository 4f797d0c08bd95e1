import ArgumentParser
import FakeSLLM
import Foundation

@main
struct FakeSLLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-sllm",
        abstract: "A simulated ServerlessLLM server for Mixture-of-Experts models (vllm_moecap backend).",
        discussion: """
            Serves ServerlessLLM's HTTP API on a simulated vLLM-v1 engine: continuous batching, paged KV cache, \
            expert routing and per-step GPU time on the chosen hardware. Batch recording works as on the real \
            `vllm_moecap` backend, so MoE-CAP evaluations run without GPUs.
            """,
        subcommands: [ServeCommand.self, SimulateCommand.self, FidelityCommand.self, SweepCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// Runs the command; a bad flag, value or file is reported as one line on stderr with a non-zero exit.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(reporting: error)
        }
    }

    private static func exit(reporting error: any Error) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))  // --help, --version
        } else if !(error is ExitCode) {  // an ExitCode was thrown after its own message
            FileHandle.standardError.write(Data("fake-sllm: \(message(for: error))\n".utf8))
        }
        Self.exit(withError: code == .success ? nil : ExitCode(code.rawValue))
    }
}
