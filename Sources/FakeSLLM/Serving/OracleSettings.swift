import MoECore
import SimEngine

/// Settings of the answer oracle: which dataset's items the server recognises and how often it answers right.
package struct OracleSettings: Sendable, Equatable {
    /// Path of a dataset file in the dataset's own row schema (JSONL or JSON).
    package var datasetFile: String
    /// `gsm8k`, `numinamath` or `longbench_v2`; nil = guess from the file's rows.
    package var dataset: String?
    /// Probability of a right answer, 0…1.
    package var accuracy: Double

    package init(datasetFile: String, dataset: String?, accuracy: Double) {
        self.datasetFile = datasetFile
        self.dataset = dataset
        self.accuracy = accuracy
    }

    /// From `{"dataset_file": …, "dataset": …, "accuracy": …}`.
    init(json: JSONValue) throws(SettingsError) {
        guard let file = json["dataset_file"]?.stringValue else {
            throw SettingsError("fake_sllm.oracle needs 'dataset_file'")
        }
        let accuracy = json["accuracy"]?.doubleValue ?? 1
        guard (0...1).contains(accuracy) else { throw SettingsError("fake_sllm.oracle.accuracy must be in [0, 1]") }
        self.init(datasetFile: file, dataset: json["dataset"]?.stringValue, accuracy: accuracy)
    }
}
