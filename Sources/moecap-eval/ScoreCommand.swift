import ArgumentParser
import Evaluator
import Foundation
import MoECore

/// `moecap-eval score DIR`: recompute every metric from an output directory, with no server.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Recompute metrics.json from an existing output directory (no server needed).",
        discussion: """
            Reads config.json, batch_data.json and inference_outputs.json, recomputes the batch metrics, MoE-CAP's \
            advanced metrics and the accuracy, rewrites metrics.json and prints it. Options override the recorded \
            settings, for trying metric formulas or hardware assumptions on the same records.
            """)

    @Argument(help: "An output directory of a previous run.") var directory: String
    @Option(help: "GPU for MoE-CAP's peaks (alias or MoE-CAP key).") var gpuType: String?
    @Option(help: "HF config.json of the model.") var modelConfig: String?
    @Option(help: "Weight precision for MoE-CAP's formulas.") var precision: String?
    @Option(help: "GPU count when the records do not say.") var numGpus: Int?
    @Flag(help: "Print the metrics without rewriting metrics.json.") var dryRun = false

    func run() async throws {
        var input: ScoringInput
        do {
            input = try ScoringFiles.read(
                directory: directory, gpuType: gpuType, modelConfig: modelConfig, precision: precision, numGPUs: numGpus
            )
        } catch {
            throw RunFailure("\(error)")
        }
        let (config, warning) = await ModelConfigFetcher.resolving(input.config)
        if let warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        input.config = config
        let report = MetricsReport.build(input)
        for w in report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        if !dryRun {
            do { try OutputFiles(directory: directory).write(OutputFiles.metrics, report.json) } catch {
                throw RunFailure("\(error)")
            }
        }
        print(report.json.serialized(indent: 2))
    }
}

/// `moecap-eval extract --dataset D`: one JSON string per line in, one extracted answer per line out.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract answers with MoE-CAP's extractor: JSON-string lines on stdin, one JSON string per line out.")

    @Option(help: "Dataset whose extraction rules apply (gsm8k, numinamath, longbench_v2, mmlu-pro, …).")
    var dataset: String

    func run() throws {
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let value = try? JSONValue.parse(line), let text = value.stringValue else {
                throw RunFailure("stdin line \(lineNumber): expected a JSON string, e.g. \"The answer is 42.\"")
            }
            let answer = AnswerExtractor.extract(text, dataset: dataset.lowercased())
            print(JSONValue.string(answer).serialized())
        }
    }
}
