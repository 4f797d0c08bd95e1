import Foundation
import MoECore

/// Reads an output directory back into a ``ScoringInput`` (for `moecap-eval score`).
package enum ScoringFiles {
    package struct Problem: Error, CustomStringConvertible {
        package let description: String
    }

    package static func read(
        directory: String, gpuType: String?, modelConfig: String?, precision: String?, numGPUs: Int?
    ) throws -> ScoringInput {
        func load(_ name: String) throws -> JSONValue {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem(description: "cannot read \(path)")
            }
            do { return try JSONValue.parse([UInt8](data)) } catch {
                throw Problem(description: "\(path) is not valid JSON: \(error)")
            }
        }
        let configJSON = try load(OutputFiles.config)
        guard let model = configJSON["model"]?.stringValue, let ds = configJSON["dataset"]?.stringValue,
            let kind = try? DatasetKind(parsing: ds)
        else { throw Problem(description: "config.json lacks 'model' or a known 'dataset'") }
        var config = EvaluationConfig(model: model, dataset: kind)
        config.numGPUs = numGPUs ?? configJSON["num_gpus"]?.intValue ?? 1
        config.gpuType = gpuType ?? configJSON["gpu_type"]?.stringValue
        config.modelConfig = modelConfig ?? configJSON["model_config"]?.stringValue
        config.precision = precision ?? configJSON["precision"]?.stringValue
        config.outputDir = directory
        if configJSON["enable_expert_recording"]?.boolValue == true {
            config.expertRecording =
                configJSON["expert_recording_mode"]?.stringValue.flatMap {
                    ExpertRecordingMode(rawValue: $0)
                } ?? .perPass
        }

        let outputs = try load(OutputFiles.inferenceOutputs)
        guard let entries = outputs.arrayValue else {
            throw Problem(description: "inference_outputs.json must be a JSON array")
        }
        var targets: [String] = []
        var responses: [String?] = []
        for e in entries {
            targets.append(e["expected"]?.stringValue ?? "")
            let choice = e["response"]?["choices"]?.arrayValue?.first
            responses.append(choice?["message"]?["content"]?.stringValue ?? choice?["text"]?.stringValue ?? "")
        }
        let batch = try load(OutputFiles.batchData)
        let records = batch["records"]?.arrayValue ?? batch["batches"]?.arrayValue ?? []
        // The run's wall time lives in the previous metrics.json, when there is one.
        let previous = try? load(OutputFiles.metrics)
        let expertDump = config.expertRecording == nil ? nil : try? load(OutputFiles.expertDistribution)
        return ScoringInput(
            config: config, targets: targets, responses: responses, outcomes: [], records: records,
            wallSeconds: previous?["run_info"]?["e2e_s"]?.doubleValue ?? 0, groundTruth: nil, expertDump: expertDump)
    }
}
