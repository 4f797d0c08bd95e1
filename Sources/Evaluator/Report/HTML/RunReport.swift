import Foundation
import MoECore

/// The end of every run (docs/report.md): the simulator's per-step ground truth saved as `ground_truth.json`
/// (so `moecap-eval report DIR` can redraw it), then `report.html` built from the folder's files.
enum RunReport {
    /// Writes both files; a failure is returned, never thrown (the run's own files are already written).
    /// `serverInfo` (the deployment's `/fake_sllm/info` entry) goes into the same file as `server`. `written`:
    /// the files the run wrote into `directory`, by relative path, which the page takes from memory.
    static func write(
        directory: String, groundTruth: [JSONValue]?, serverInfo: JSONValue? = nil,
        written: [String: JSONValue] = [:]
    ) -> Result<String, any Error> {
        Result {
            var written = written
            if let groundTruth, !groundTruth.isEmpty {
                let files = try OutputFiles(directory: directory)
                var o = JSONObject([("steps", .array(groundTruth)), ("total_steps", .int(groundTruth.count))])
                if let serverInfo { o["server"] = serverInfo }
                try files.write(ReportSources.groundTruthFile, .object(o))
                written[ReportSources.groundTruthFile] = .object(o)
            }
            return try HTMLReport.write(directory: directory, written: written)
        }
    }
}
