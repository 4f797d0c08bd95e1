import MoECore

/// Everything the HTML report draws, gathered from a result folder (docs/report.md): the headline metrics, the
/// de-duplicated batch records, the simulator's per-step ground truth, per-request client timings and the
/// per-layer expert activation, each present only where the files hold it.
package struct ReportData: Sendable {
    /// Client timings of one request (seconds); nil where the files do not say.
    package struct RequestTiming: Sendable, Equatable {
        package var ttft: Double?
        package var tpot: Double?
        package var e2e: Double?

        /// Timings in seconds.
        package init(ttft: Double?, tpot: Double?, e2e: Double?) {
            self.ttft = ttft
            self.tpot = tpot
            self.e2e = e2e
        }
    }

    /// Model id (HF name).
    package var model: String?
    package var dataset: String?
    /// `metrics.json` in this project's layout (`batch_metrics`, `accuracy_metrics`, `client_metrics`,
    /// `run_info`, `ground_truth_check`), the Python evaluator's files mapped onto it.
    package var metrics: JSONValue = .object(JSONObject())
    /// De-duplicated records in dump order.
    package var records: [BatchRecord] = []
    /// The simulator's per-step truth (`/fake_sllm/dump_ground_truth` steps), keyed by `forward_pass_id`.
    package var groundTruth: [Int: JSONValue] = [:]
    package var requests: [RequestTiming] = []
    /// The clock of ``requests``: `simulated` (the server's, when it stated it) or `wall clock`.
    package var requestClock = "wall clock"
    /// Mean activated experts per MoE layer, when expert recording ran.
    package var expertActivationPerLayer: [Double]?
    /// Experts per layer of the model, when known (for the expert chart's scale).
    package var expertsPerLayer: Int?
    /// The GPU's MoE-CAP key, GPU count and weight precision the roofline is drawn for.
    package var gpuKey: String?
    package var numGPUs = 1
    package var precision = "bfloat16"
    /// An HF `config.json` path for models outside the catalog.
    package var modelConfigPath: String?
    /// The files the data came from (names relative to the folder), for the page's footer.
    package var sources: [String] = []
    /// fake-sllm's description of the deployment (`ground_truth.json`'s `server`: `serving`, `api`,
    /// `accuracy_oracle`), when the run was against fake-sllm.
    package var server: JSONValue?
    /// The clock the batch records' latencies are on: `simulated` (fake-sllm) or `server-measured`.
    package var recordClock: String { server != nil || !groundTruth.isEmpty ? "simulated" : "server-measured" }
    /// Whether a batch-records file was read (none: the Python evaluator's current version saves none).
    package var hasBatchRecordsFile = false
    /// Batch records the run collected as its metrics state it (`total_records`), when they do.
    package var recordedCount: Int?
    /// Plain sentences of what the folder's files hold and do not hold, for the page and `report`'s stderr.
    package var coverage: [String] = []

    /// Nothing known yet.
    package init() {}
}
