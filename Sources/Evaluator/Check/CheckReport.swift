/// What `moecap-eval check` found: one line per check and a verdict.
///
/// A value type: `Sendable`.
package struct CheckReport: Sendable, Equatable {
    /// How one check came out.
    package enum Outcome: String, Sendable, Equatable {
        /// Works.
        case ok
        /// Works, with something the user should know (a cold start ahead, an extension not available).
        case warn
        /// A run with these settings would fail.
        case fail
        /// Not checked because an earlier check failed.
        case skipped
    }

    /// One check: its name (`server`, `model`, …), outcome and a one-line detail.
    package struct Line: Sendable, Equatable {
        package var name: String
        package var outcome: Outcome
        package var detail: String
    }

    package var lines: [Line] = []

    /// Whether a run with these settings would work (no check failed).
    package var passed: Bool { !lines.contains { $0.outcome == .fail } }

    /// The line of check `name`, if it ran.
    package func line(_ name: String) -> Line? { lines.first { $0.name == name } }

    mutating func add(_ name: String, _ outcome: Outcome, _ detail: String) {
        lines.append(Line(name: name, outcome: outcome, detail: detail))
    }

    /// The report as printed: one line per check, then the verdict.
    package var text: String {
        let width = lines.map(\.name.count).max() ?? 0
        var out = lines.map { line in
            let mark = ["ok": "[ok]  ", "warn": "[warn]", "fail": "[FAIL]", "skipped": "[skip]"][line.outcome.rawValue]!
            return "\(mark) \(line.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(line.detail)"
        }
        let failed = lines.filter { $0.outcome == .fail }.map(\.name)
        let warned = lines.filter { $0.outcome == .warn }.count
        if failed.isEmpty {
            out.append("verdict: a run with these settings will work" + (warned > 0 ? " (\(warned) warnings)" : ""))
        } else {
            out.append("verdict: a run with these settings would fail (\(failed.joined(separator: ", ")))")
        }
        return out.joined(separator: "\n")
    }
}
