import Foundation
import MoECore

/// The end of every run (docs/report.md): the simulator's per-step ground truth saved as `ground_truth.json`
/// (so `moecap-eval report DIR` can redraw it), then `report.html` built from the folder's files.
enum RunReport {
    /// Writes both files; a failure is returned, never thrown (the run's own files are already written).
    static func write(directory: String, groundTruth: [JSONValue]?) -> Result<String, any Error> {
        Result {
            if let groundTruth, !groundTruth.isEmpty {
                let files = try OutputFiles(directory: directory)
                try files.write(
                    ReportSources.groundTruthFile,
                    .object(JSONObject([("steps", .array(groundTruth)), ("total_steps", .int(groundTruth.count))])))
            }
            return try HTMLReport.write(directory: directory)
        }
    }
}
