import Foundation
import MoECore

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk cache of downloaded dataset splits.
///
/// Layout under ``directory``: `<owner>--<name>/<config>/<split>.jsonl` (one compact JSON row per line; the
/// config folder is `_auto` when the caller left the config to the server) and
/// `<split>.meta.json` beside it (`dataset`, `config`, `split`, `num_rows`, `sha256` of the JSONL, `source`).
/// A split is served from the cache only if the meta file names the same split, the JSONL's SHA-256 and line
/// count match it and every line parses; anything else counts as a miss. Both files are written to a temporary
/// name and renamed into place, the meta file last, so a reader never sees a partial file, and a crash between the
/// two renames leaves a mismatch that is detected, never wrong rows.
///
/// Threading: `Sendable`, no shared state; concurrent writers of one split leave either one complete copy or a
/// detectable mismatch.
struct HubCache: Sendable {
    /// The root, e.g. `~/.cache/moecap-eval/datasets`.
    let directory: String

    /// The JSONL and meta paths of a split (`config` nil: the config the server picks).
    func paths(dataset: String, config: String?, split: String) -> (data: String, meta: String) {
        let folder = [
            directory, Self.component(dataset.replacingOccurrences(of: "/", with: "--")),
            config.map(Self.component) ?? "_auto",
        ].joined(separator: "/")
        let base = "\(folder)/\(Self.component(split))"
        return ("\(base).jsonl", "\(base).meta.json")
    }

    /// The cached rows of a split, or nil when absent or failing any integrity check.
    func load(dataset: String, config: String?, split: String) -> [JSONValue]? {
        let paths = paths(dataset: dataset, config: config, split: split)
        guard let metaBytes = FileManager.default.contents(atPath: paths.meta),
            let meta = try? JSONValue.parse(Array(metaBytes)),
            meta["dataset"]?.stringValue == dataset, meta["config"] == config.map(JSONValue.string) ?? .null,
            meta["split"]?.stringValue == split, let count = meta["num_rows"]?.intValue,
            let digest = meta["sha256"]?.stringValue,
            let data = FileManager.default.contents(atPath: paths.data)
        else { return nil }
        let bytes = [UInt8](data)
        guard SHA256.hexDigest(bytes) == digest else { return nil }
        var rows: [JSONValue] = []
        rows.reserveCapacity(count)
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let row = try? JSONValue.parse(line) else { return nil }
            rows.append(row)
        }
        return rows.count == count ? rows : nil
    }

    /// Writes `rows` as the cached copy of a split and returns the JSONL path.
    func store(_ rows: [JSONValue], dataset: String, config: String?, split: String, source: String)
        throws(HubDownloadError) -> String
    {
        let paths = paths(dataset: dataset, config: config, split: split)
        var data: [UInt8] = []
        for row in rows {
            data += row.serializedBytes(compact: true)
            data.append(UInt8(ascii: "\n"))
        }
        let meta: JSONValue = [
            "dataset": .string(dataset), "config": config.map(JSONValue.string) ?? .null, "split": .string(split),
            "num_rows": .int(rows.count), "sha256": .string(SHA256.hexDigest(data)), "source": .string(source),
        ]
        do {
            let folder = String(paths.data[..<paths.data.lastIndex(of: "/")!])
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Self.replace(paths.data, with: data)
            try Self.replace(paths.meta, with: meta.serializedBytes(indent: 2) + [UInt8(ascii: "\n")])
        } catch let error as HubDownloadError {
            throw error
        } catch {
            throw HubDownloadError("cannot write the dataset cache \(paths.data): \(error.localizedDescription)")
        }
        return paths.data
    }

    /// Writes `bytes` to a unique temporary file beside `path`, then renames it over `path` (atomic on POSIX).
    private static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw HubDownloadError("cannot write the dataset cache \(path): \(reason)")
        }
    }

    /// `text` made safe as one path component: bytes outside `A-Z a-z 0-9 . _ -` become `_`, and a name made only
    /// of dots gets a leading `_`.
    private static func component(_ text: String) -> String {
        let safe = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return safe.allSatisfy { $0 == "." } ? "_" + safe : safe
    }
}
