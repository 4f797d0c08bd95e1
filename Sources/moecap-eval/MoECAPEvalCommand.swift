import ArgumentParser
import Foundation

@main
struct MoECAPEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moecap-eval",
        abstract: "Evaluate a ServerlessLLM MoE deployment with MoE-CAP's metrics (cost, accuracy, performance).",
        discussion: """
            With no subcommand it runs an evaluation, like ServerlessLLM's evaluate_moecap.py: load the dataset, \
            start batch recording, send the requests, stop, dump the records, compute MoE-CAP's metrics and the \
            accuracy, and write metrics.json, batch_data.json, inference_outputs.json, config.json and report.html, \
            plus the script's cap_metrics_sllm_<dataset>_<time>.json and detailed_results_<dataset>.jsonl under \
            <org>/<name>/. Run `moecap-eval check` first to see what a run against a server will meet.
            """,
        subcommands: [RunCommand.self, CheckCommand.self, ScoreCommand.self, ReportCommand.self, ExtractCommand.self],
        defaultSubcommand: RunCommand.self)

    /// Runs the command; a bad flag, value or file is reported as one line on stderr with a non-zero exit.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help
            } else if !(error is ExitCode) {
                FileHandle.standardError.write(Data("moecap-eval: \(message(for: error))\n".utf8))
            }
            Self.exit(withError: code == .success ? nil : ExitCode(code.rawValue))
        }
    }
}
