import Foundation
import Glibc
import MoECore

/// A one-line progress display on stderr (only when stderr is a terminal and not `--quiet`). Thread-safe.
final class Progress: Sendable {
    private struct Counts {
        var done = 0
        var failures = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
    }
    private let total: Int
    private let enabled: Bool
    private let start = ContinuousClock.now
    private let counts = Locked(Counts())

    init(total: Int, quiet: Bool) {
        self.total = total
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Counts one finished request; redraws at most 10 times a second.
    func tick(failed: Bool) {
        let line: String? = counts.withLock { c in
            c.done += 1
            if failed { c.failures += 1 }
            guard enabled else { return nil }
            let now = ContinuousClock.now
            guard c.done == total || c.lastDraw.duration(to: now) > .milliseconds(100) else { return nil }
            c.lastDraw = now
            return render(c)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        guard enabled else { return }
        let line = counts.withLock { render($0) }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func render(_ c: Counts) -> String {
        let elapsed = max(1e-9, start.duration(to: .now).inSeconds)
        return String(
            format: "\r[%d/%d] %.1f req/s, %d failed, %.1fs elapsed ", c.done, total, Double(c.done) / elapsed,
            c.failures, elapsed)
    }
}

/// Status lines of the run on stderr (silent with `--quiet`).
struct StatusLog: Sendable {
    let quiet: Bool
    func say(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    /// Always printed: problems the user must see.
    func warn(_ line: String) { FileHandle.standardError.write(Data(("warning: " + line + "\n").utf8)) }
}
