import ArgumentParser

@main
struct MoECAPEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moecap-eval",
        abstract: "Evaluate a ServerlessLLM MoE deployment with MoE-CAP's metrics (cost, accuracy, performance).",
        discussion: """
            With no subcommand it runs an evaluation, like ServerlessLLM's evaluate_moecap.py: load the dataset, \
            start batch recording, send the requests, stop, dump the records, compute MoE-CAP's metrics and the \
            accuracy, and write metrics.json, batch_data.json, inference_outputs.json and config.json.
            """,
        subcommands: [RunCommand.self, ScoreCommand.self, ExtractCommand.self],
        defaultSubcommand: RunCommand.self)
}
