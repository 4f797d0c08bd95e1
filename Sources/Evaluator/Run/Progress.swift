import Foundation
import Glibc

/// A one-line progress display on stderr (only when stderr is a terminal and not `--quiet`).
final class Progress: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var done = 0
    private var failures = 0
    private var lastDraw = ContinuousClock.now - .seconds(1)

    init(total: Int, quiet: Bool) {
        self.total = total
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Counts one finished request; redraws at most 10 times a second. Call from one task only.
    func tick(failed: Bool) {
        done += 1
        if failed { failures += 1 }
        guard enabled else { return }
        let now = ContinuousClock.now
        if done == total || lastDraw.duration(to: now) > .milliseconds(100) {
            lastDraw = now
            draw()
        }
    }

    func finish() {
        guard enabled else { return }
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        let elapsed = max(1e-9, start.duration(to: .now).inSeconds)
        let line = String(
            format: "\r[%d/%d] %.1f req/s, %d failed, %.1fs elapsed ", done, total, Double(done) / elapsed, failures,
            elapsed)
        FileHandle.standardError.write(Data(line.utf8))
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
