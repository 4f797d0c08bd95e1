import ArgumentParser
import Evaluator
import Foundation

/// `moecap-eval report DIR`: rebuild `report.html` from a result folder, with no server.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild report.html from a result folder (this evaluator's or ServerlessLLM's Python evaluator's).",
        discussion: """
            Reads metrics.json, batch_data.json, inference_outputs.json, config.json and ground_truth.json, or the \
            Python evaluator's cap_metrics_*.json, batch_data_*.json, inference_outputs_*.json and config_*.json \
            (also one or two folders down), and writes DIR/report.html: the headline table, a roofline of the \
            recorded steps, batch size and latency per step, request latency distributions and expert activation \
            per layer, each where the files hold the data. Prints the page's path.
            """)

    @Argument(help: "A result folder.") var directory: String

    func run() throws {
        do {
            print(try HTMLReport.write(directory: directory))
        } catch {
            throw RunFailure("\(error)")
        }
    }
}
