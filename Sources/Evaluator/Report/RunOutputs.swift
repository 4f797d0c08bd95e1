import Foundation
import MoECore

/// Writes every file of a finished run from what it collected (docs/evaluator.md "Output files") and returns
/// `metrics.json`'s content.
enum RunOutputs {
    struct Input: Sendable {
        var config: EvaluationConfig
        var dataset: Dataset
        /// The outcomes of the requests sent, in dataset order (fewer than the items when not all were sent).
        var outcomes: [RequestOutcome]
        /// The warm-up request's outcome.
        var warmUp: RequestOutcome?
        var wallSeconds: Double
        var collection: RecordingCollection
        /// Each request's `inference_outputs.json` entry as the partial log wrote it (compact), by dataset index;
        /// nil where none was written.
        var compactEntries: [[UInt8]?] = []
    }

    static func write(_ input: Input, to files: OutputFiles, log: StatusLog) async throws -> JSONValue {
        let config = input.config
        let items = input.dataset.items
        var byIndex = [RequestOutcome?](repeating: nil, count: items.count)
        for o in input.outcomes { byIndex[o.index] = o }
        let texts = byIndex.map { $0?.succeeded == true ? $0!.text : "" }
        let dsName = config.dataset.rawValue
        // One extraction per request (kept on the outcome as it arrived) for the accuracy and every file.
        let predictions = byIndex.map { $0?.answer(dataset: dsName) ?? "" }
        let collection = input.collection

        // Models outside the catalog need their HF config (downloaded and cached).
        let (scoringConfig, configWarning) =
            collection.records.isEmpty ? (config, nil) : await ModelConfigFetcher.resolving(config)
        if let configWarning { log.warn(configWarning) }
        let report = MetricsReport.build(
            ScoringInput(
                config: scoringConfig, targets: items.map(\.target), responses: texts, outcomes: input.outcomes,
                records: collection.records, wallSeconds: input.wallSeconds, groundTruth: collection.groundTruth,
                expertDump: collection.expertDump, warmUp: input.warmUp, predictions: predictions))
        for w in report.warnings { log.warn(w) }

        try files.write(OutputFiles.batchData, collection.dump)
        if let expert = collection.expertDump { try files.write(OutputFiles.expertDistribution, expert) }
        let entries: [JSONValue] = items.enumerated().map { i, item in
            let outcome =
                byIndex[i] ?? RequestOutcome(index: i, response: nil, text: "", error: "not sent", startOffset: 0)
            return OutputFiles.entry(prompt: item.input, expected: item.target, outcome: outcome, dataset: dsName)
        }
        let outputs = JSONValue.array(entries)
        try files.writeArray(OutputFiles.inferenceOutputs, entries, compact: input.compactEntries)
        try? FileManager.default.removeItem(atPath: files.path(OutputFiles.partial))
        try files.write(OutputFiles.metrics, report.json)
        // The ServerlessLLM script's own files, under <org>/<name>/.
        let folder = CapMetricsFile.modelDirectory(config.model)
        let cap = CapMetricsFile.json(metrics: report.json, expertDump: collection.expertDump)
        try files.writeText(
            folder + "/" + CapMetricsFile.fileName(dataset: dsName), cap.serialized(indent: 4))
        let lines = DetailedResults.lines(
            prompts: items.map(\.input), targets: items.map(\.target), texts: texts, extracted: predictions)
        var jsonl: [UInt8] = []
        for line in lines {
            line.appendSerialized(to: &jsonl)
            jsonl.append(0x0A)
        }
        try files.writeBytes(folder + "/" + DetailedResults.fileName(dataset: dsName), jsonl)
        // Last, so the page describes every file of the folder (`moecap-eval report DIR` rebuilds it identically).
        var written = [
            OutputFiles.batchData: collection.dump, OutputFiles.inferenceOutputs: outputs,
            OutputFiles.metrics: report.json,
        ]
        if let expert = collection.expertDump { written[OutputFiles.expertDistribution] = expert }
        switch RunReport.write(
            directory: config.outputDir, groundTruth: collection.groundTruth, serverInfo: collection.serverInfo,
            written: written)
        {
        case .success(let page): log.say("Report: \(page)")
        case .failure(let error): log.warn("report.html not written: \(error)")
        }
        return report.json
    }
}
