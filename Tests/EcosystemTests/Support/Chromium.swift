import Foundation

/// Debian's chromium for the report check, installed with apt-get when missing (docs/report.md).
enum Chromium {
    /// The browser's path, installing it first when needed; nil (with the reason) when it cannot be had.
    static let available: (path: String?, why: String) = {
        if let p = Tool.which("chromium") { return (p, "") }
        guard getuid() == 0 else { return (nil, "chromium is not installed and installing it needs root") }
        guard let apt = Tool.which("apt-get") else { return (nil, "chromium is not installed and there is no apt-get") }
        let env = ["DEBIAN_FRONTEND": "noninteractive"]
        var r = try? Tool.run(apt, ["install", "-y", "-qq", "chromium"], environment: env, timeout: 600)
        if r?.status != 0 {
            _ = try? Tool.run(apt, ["update", "-qq"], environment: env, timeout: 300)
            r = try? Tool.run(apt, ["install", "-y", "-qq", "chromium"], environment: env, timeout: 600)
        }
        if let p = Tool.which("chromium") { return (p, "") }
        return (nil, "apt-get install chromium failed: \(r?.stderr.suffix(300) ?? "")")
    }()
}
