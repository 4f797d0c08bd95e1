import ArgumentParser
import FakeSLLM

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
        subcommands: [ServeCommand.self, SimulateCommand.self, FidelityCommand.self],
        defaultSubcommand: ServeCommand.self)
}
