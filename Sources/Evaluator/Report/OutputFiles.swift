import Foundation
import MoECore

/// The run's files in `--output-dir` (seed README "Output Files"): `metrics.json`, `batch_data.json`,
/// `inference_outputs.json`, `config.json`; `expert_distribution.json` (the raw expert dump) when expert
/// recording ran; the ServerlessLLM script's files under `<org>/<name>/` (``CapMetricsFile``,
/// ``DetailedResults``); and `inference_outputs.partial.jsonl`, one line per response as it arrives, removed once
/// `inference_outputs.json` is written.
package struct OutputFiles: Sendable {
    let directory: String

    package static let metrics = "metrics.json"
    static let batchData = "batch_data.json"
    static let inferenceOutputs = "inference_outputs.json"
    static let config = "config.json"
    static let partial = "inference_outputs.partial.jsonl"
    static let expertDistribution = "expert_distribution.json"

    /// Creates the directory.
    /// - Throws: ``OutputError`` when it cannot be created or written.
    package init(directory: String) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(description: "cannot create output directory \(directory): \(error.localizedDescription)")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw OutputError(description: "output directory \(directory) is not writable")
        }
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Writes `value` (indent 2) atomically: a temporary file renamed over the target.
    package func write(_ name: String, _ value: JSONValue) throws {
        var bytes = value.serializedBytes(indent: 2)
        bytes.append(0x0A)
        try writeBytes(name, bytes)
    }

    /// Writes `entries` as a JSON array (indent 2, as ``write(_:_:)``), each element taken from its compact text
    /// when `compact` has it (the partial log's line of the same entry), else serialized; the whole array is then
    /// laid out by ``JSONValue/appendReindented(compact:indent:level:to:)``.
    func writeArray(_ name: String, _ entries: [JSONValue], compact: [[UInt8]?]) throws {
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(compact.reduce(64) { $0 + ($1?.count ?? 512) + 1 })
        for (i, entry) in entries.enumerated() {
            if i > 0 { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: (i < compact.count ? compact[i] : nil) ?? entry.serializedBytes(compact: true))
        }
        array.append(UInt8(ascii: "]"))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(array.count * 5 / 4)
        JSONValue.appendReindented(compact: array, indent: 2, level: 0, to: &bytes)
        bytes.append(0x0A)
        try writeBytes(name, bytes)
    }

    /// Writes `text` to `name` (a path relative to the directory; missing folders are created) atomically.
    func writeText(_ name: String, _ text: String) throws {
        try writeBytes(name, Array(text.utf8))
    }

    /// Writes `bytes` to `name` (a path relative to the directory; missing folders are created) atomically.
    func writeBytes(_ name: String, _ bytes: [UInt8]) throws {
        let target = path(name)
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OutputError(description: "cannot create \(folder): \(error.localizedDescription)")
        }
        let tmp = target + ".tmp"
        guard FileBytes.writeFile(tmp, bytes) else { throw OutputError(description: "cannot write \(tmp)") }
        if rename(tmp, target) != 0 { throw OutputError(description: "cannot write \(target)") }
    }

    /// One `inference_outputs.json` entry: the seed's `prompt`, `expected`, `response` (full completion or `{}`),
    /// then this project's `extracted_answer`, `is_correct`, `error`, `latency_s`, `ttft_s` (wall clock) and, when
    /// the server states its simulated timing, `sim_arrival_s`, `sim_ttft_s`, `sim_latency_s`.
    static func entry(prompt: String, expected: String, outcome: RequestOutcome, dataset: String) -> JSONValue {
        let extracted = outcome.answer(dataset: dataset)
        let correct =
            !extracted.isEmpty && extracted.lowercased() == FoundationWhitespace.trimmed(expected).lowercased()
        var entry = JSONObject([
            ("prompt", .string(prompt)), ("expected", .string(expected)),
            ("response", outcome.response ?? .object(JSONObject())),
            ("extracted_answer", .string(extracted)), ("is_correct", .bool(correct)),
            ("error", outcome.error.map { .string($0) } ?? .null),
            ("latency_s", outcome.e2e.map { .double($0) } ?? .null),
            ("ttft_s", outcome.ttft.map { .double($0) } ?? .null),
        ])
        if let sim = outcome.simulated {
            entry["sim_arrival_s"] = .double(sim.arrival)
            entry["sim_ttft_s"] = sim.ttft.map { .double($0) } ?? .null
            entry["sim_latency_s"] = .double(sim.e2e)
        }
        return .object(entry)
    }
}

/// Appends lines to the partial outputs file, flushing each (so a killed run keeps what it received).
/// Thread-safe: each line is written whole under a lock, straight to the file descriptor.
final class PartialOutputLog: Sendable {
    /// The open file, or -1 (not opened, or closed).
    private let fd: Locked<Int32>

    init(path: String) {
        fd = Locked(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666))
    }

    /// Writes `value` as one compact line and returns that text (without the newline): the run lays it out
    /// again for `inference_outputs.json` instead of serializing the entry a second time.
    @discardableResult
    func append(_ value: JSONValue) -> [UInt8] {
        var line = value.serializedBytes(compact: true)
        line.append(0x0A)
        fd.withLock { fd in
            guard fd >= 0 else { return }
            _ = line.withUnsafeBytes { FileBytes.writeAll(fd, $0) }
        }
        line.removeLast()
        return line
    }

    func close() {
        fd.withLock { fd in
            if fd >= 0 { FileBytes.closeFile(fd) }
            fd = -1
        }
    }
}

/// An output file or directory problem.
package struct OutputError: Error, CustomStringConvertible, Sendable {
    package let description: String
}
