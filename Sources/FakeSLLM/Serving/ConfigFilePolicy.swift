import Glibc
import MoECore

/// Which files a deploy config received over HTTP may name (docs/http.md, "Files named over HTTP").
///
/// A `/register` body can name files: `fake_sllm.model_config` (or a model name that is a path),
/// `fake_sllm.routing` (`file:PATH` or `{"counts_file": PATH}`) and `fake_sllm.oracle.dataset_file`. By default
/// none is accepted over HTTP. With `--allow-config-dir DIR` a path is accepted when, after resolving `..` and
/// symbolic links, it is a regular file under DIR (a model-config folder: its `config.json`) of at most
/// ``maxFileBytes``. Deploy configs given on the command line are the operator's own and are not checked. Refusals
/// name the setting and the path, never the file's content.
///
/// A value; thread-safe.
package struct ConfigFilePolicy: Sendable {
    /// The allowed directory, resolved; nil refuses every path.
    let root: String?
    /// Largest file accepted.
    package var maxFileBytes = 64 << 20

    /// Refuses every file path.
    package static let refuseAll = ConfigFilePolicy(root: nil)

    private init(root: String?) { self.root = root }

    /// Allows regular files under `directory`.
    /// - Throws: ``SettingsError`` when `directory` is not an existing directory.
    package init(allowing directory: String) throws(SettingsError) {
        guard let resolved = Self.realPath(directory), Self.kind(resolved) == S_IFDIR else {
            throw SettingsError("--allow-config-dir \(directory): not a directory")
        }
        root = resolved
    }

    /// The file paths a deploy config names, with the setting each comes from.
    static func paths(in config: DeployConfig) -> [(setting: String, path: String)] {
        var out: [(String, String)] = []
        let o = config.simulatorOverrides
        if let p = o?["model_config"]?.stringValue {
            out.append(("fake_sllm.model_config", p))
        } else if EngineSettings.looksLikePath(config.model) {
            out.append(("model", config.model))
        }
        if let r = o?["routing"] {
            if let s = r.stringValue, s.hasPrefix("file:") { out.append(("fake_sllm.routing", String(s.dropFirst(5)))) }
            if let p = r["counts_file"]?.stringValue { out.append(("fake_sllm.routing.counts_file", p)) }
        }
        if let p = o?["oracle"]?["dataset_file"]?.stringValue { out.append(("fake_sllm.oracle.dataset_file", p)) }
        return out
    }

    /// Why a deploy config received over HTTP may not be registered, or nil when every path it names is allowed.
    package func refusal(for config: DeployConfig) -> String? {
        for (setting, path) in Self.paths(in: config) {
            guard let root else {
                return "\(setting): file paths are not accepted over HTTP (start fake-sllm with --allow-config-dir DIR)"
            }
            guard var resolved = Self.realPath(path), resolved == root || resolved.hasPrefix(root + "/") else {
                return "\(setting): \(path) is not under the allowed config directory"
            }
            if setting.hasSuffix("model_config") || setting == "model", Self.kind(resolved) == S_IFDIR {
                resolved += "/config.json"
                guard let inner = Self.realPath(resolved), inner.hasPrefix(root + "/") else {
                    return "\(setting): \(path) is not under the allowed config directory"
                }
                resolved = inner
            }
            guard Self.kind(resolved) == S_IFREG else { return "\(setting): \(path) is not a regular file" }
            if let size = Self.size(resolved), size > maxFileBytes {
                return "\(setting): \(path) is larger than \(maxFileBytes) bytes"
            }
        }
        return nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    private static func kind(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & S_IFMT
    }

    private static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }
}
