import MoECore

/// Everything the HTML report draws, gathered from a result folder (docs/report.md): the headline metrics, the
/// de-duplicated batch records, the simulator's per-step ground truth, per-request client timings and the
/// per-layer expert activation, each present only where the files hold it.
public struct ReportData: Sendable {
    /// Client timings of one request (seconds); nil where the files do not say.
    public struct RequestTiming: Sendable, Equatable {
        public var ttft: Double?
        public var tpot: Double?
        public var e2e: Double?

        /// Timings in seconds.
        public init(ttft: Double?, tpot: Double?, e2e: Double?) {
            self.ttft = ttft
            self.tpot = tpot
            self.e2e = e2e
        }
    }

    /// Model id (HF name).
    public var model: String?
    public var dataset: String?
    /// `metrics.json` in this project's layout (`batch_metrics`, `accuracy_metrics`, `client_metrics`,
    /// `run_info`, `ground_truth_check`), the Python evaluator's files mapped onto it.
    public var metrics: JSONValue = .object(JSONObject())
    /// De-duplicated records in dump order.
    public var records: [BatchRecord] = []
    /// The simulator's per-step truth (`/fake_sllm/dump_ground_truth` steps), keyed by `forward_pass_id`.
    public var groundTruth: [Int: JSONValue] = [:]
    public var requests: [RequestTiming] = []
    /// The clock of ``requests``: `simulated` (the server's, when it stated it) or `wall clock`.
    public var requestClock = "wall clock"
    /// Mean activated experts per MoE layer, when expert recording ran.
    public var expertActivationPerLayer: [Double]?
    /// Experts per layer of the model, when known (for the expert chart's scale).
    public var expertsPerLayer: Int?
    /// The GPU's MoE-CAP key, GPU count and weight precision the roofline is drawn for.
    public var gpuKey: String?
    public var numGPUs = 1
    public var precision = "bfloat16"
    /// An HF `config.json` path for models outside the catalog.
    public var modelConfigPath: String?
    /// The files the data came from (names relative to the folder), for the page's footer.
    public var sources: [String] = []
    /// fake-sllm's description of the deployment (`ground_truth.json`'s `server`: `serving`, `api`,
    /// `accuracy_oracle`), when the run was against fake-sllm.
    public var server: JSONValue?
    /// The clock the batch records' latencies are on: `simulated` (fake-sllm) or `server-measured`.
    public var recordClock: String { server != nil || !groundTruth.isEmpty ? "simulated" : "server-measured" }
    /// Whether a batch-records file was read (none: the Python evaluator's current version saves none).
    public var hasBatchRecordsFile = false
    /// Batch records the run collected as its metrics state it (`total_records`), when they do.
    public var recordedCount: Int?
    /// Plain sentences of what the folder's files hold and do not hold, for the page and `report`'s stderr.
    public var coverage: [String] = []

    /// Nothing known yet.
    public init() {}
}
