import EvaluatorClient
import Foundation
import MoECore

/// Where an evaluation's items come from: `--data-file`, else the Hugging Face Hub (cached).
package enum DatasetSourcing {
    package static func load(_ config: EvaluationConfig) async throws -> Dataset {
        let source: DatasetSource
        if let file = config.dataFile {
            source = .file(file)
        } else {
            let client = try HTTPClient()
            defer { client.shutdown() }
            let hub = HubDownloader(configuration: .fromEnvironment(), client: client)
            let kind = config.dataset
            let split = try await hub.rows(
                dataset: kind.hubID, config: kind.datasetsServerConfig(), split: kind.hubSplit())
            source = .rows(split.rows, origin: split.cacheFile)
        }
        return try DatasetLoader.load(
            kind: config.dataset, source: source, numSamples: config.numSamples, fixedLength: config.fixedLength)
    }
}

/// `--fixed-length`: a MoE-CAP preset (`4K-1K`, `13K-1K`) or `INPUTxOUTPUT` tokens.
package enum FixedLengthOption {
    package static func parse(_ text: String) throws -> FixedLengthSpec {
        if let preset = try? FixedLengthPreset(parsing: text) { return preset.spec }
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let i = Int(parts[0]), let o = Int(parts[1]), i > 0, o > 0 else {
            throw CLIValueError(
                "--fixed-length must be 4K-1K, 13K-1K or INPUTxOUTPUT token counts (e.g. 2048x512), got '\(text)'")
        }
        return FixedLengthSpec(inputTokens: i, outputTokens: o)
    }
}

/// A bad option value, described in one line.
package struct CLIValueError: Error, CustomStringConvertible {
    package let description: String
    package init(_ d: String) { description = d }
}
