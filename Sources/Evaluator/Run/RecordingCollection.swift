import MoECore

/// What the stop and dump calls brought back.
struct RecordingCollection: Sendable {
    /// The raw `/dump_batch_recording` answer (or an error object), written to `batch_data.json`.
    var dump: JSONValue
    var records: [JSONValue]
    /// Why the dump failed, if it did.
    var dumpFailure: ServerFailure?
    /// The raw `/dump_expert_distribution` answer, when expert recording ran.
    var expertDump: JSONValue?
    /// The simulator's per-step ground truth, when the server offers it.
    var groundTruth: [JSONValue]?
    /// The deployment's entry of `/fake_sllm/info` (serving mode, API, whether an accuracy oracle runs), when
    /// the server is fake-sllm.
    var serverInfo: JSONValue?

    static let none = RecordingCollection(dump: .object(.init()), records: [], dumpFailure: nil)
}
