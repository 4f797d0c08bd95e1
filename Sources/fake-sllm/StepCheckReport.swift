import Foundation
import MoECore

/// Text and JSON renderings of `fake-sllm fidelity`'s GPU profile list and held-out step check.
enum StepCheckReport {
    /// Every GPU of the catalog with the source of its default constants.
    static func profiles() -> String {
        var lines = ["GPU profiles (docs/calibration.md):"]
        for gpu in HardwareCatalog.all {
            let p = CalibrationCatalog.profile(for: gpu)
            lines.append(
                gpu.key.padding(toLength: 52, withPad: " ", startingAt: 0)
                    + p.source.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0) + p.evidence)
        }
        return lines.joined(separator: "\n")
    }

    /// The held-out table: per step, measured and predicted before and after, then median and worst error.
    static func table(_ rows: [StepTimeCheck.Row], gpu: GPUSpec) -> String {
        func f(_ x: Double, _ d: Int) -> String { String(format: "%.\(d)f", x) }
        func r(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines = [
            "Held-out decode steps on \(gpu.key) (measured by the GPU probe; predicted without the per-step fixed cost)",
            "model".padding(toLength: 26, withPad: " ", startingAt: 0) + r("tp", 3) + r("batch", 6) + r("ctx", 6)
                + r("experts", 8)
                + r("measured", 10) + r("before", 9) + r("err %", 8) + r("after", 9) + r("err %", 8),
        ]
        for row in rows {
            let s = row.step
            lines.append(
                s.model.padding(toLength: 26, withPad: " ", startingAt: 0) + r("\(s.tp)", 3) + r("\(s.batch)", 6)
                    + r("\(s.context)", 6)
                    + r(f(s.touchedPerLayer, 1), 8) + r(f(s.measuredMs, 2), 10) + r(f(row.beforeMs, 2), 9)
                    + r(f(row.beforeError, 1), 8) + r(f(row.afterMs, 2), 9) + r(f(row.afterError, 1), 8))
        }
        for tp in Set(rows.map(\.step.tp)).sorted() where Set(rows.map(\.step.tp)).count > 1 {
            let part = rows.filter { $0.step.tp == tp }
            let b = StepTimeCheck.summary(part.map(\.beforeError))
            let a = StepTimeCheck.summary(part.map(\.afterError))
            lines.append(
                "TP \(tp): before median \(f(b.median, 1)) %, worst \(f(b.worst, 1)) %; after median \(f(a.median, 1)) %, "
                    + "worst \(f(a.worst, 1)) %")
        }
        let b = StepTimeCheck.summary(rows.map(\.beforeError))
        let a = StepTimeCheck.summary(rows.map(\.afterError))
        lines.append(
            "all: before (datasheet-scaled H100 fit): median \(f(b.median, 1)) %, worst \(f(b.worst, 1)) %; "
                + "after (\(CalibrationCatalog.profile(for: gpu).source.rawValue) profile): median \(f(a.median, 1)) %, "
                + "worst \(f(a.worst, 1)) % (target: median ≤ 10 %, worst ≤ 25 %)")
        return lines.joined(separator: "\n")
    }

    /// The held-out rows as JSON.
    static func json(_ rows: [StepTimeCheck.Row], gpu: GPUSpec) -> JSONValue {
        let b = StepTimeCheck.summary(rows.map(\.beforeError))
        let a = StepTimeCheck.summary(rows.map(\.afterError))
        return .object(
            JSONObject([
                ("gpu", .string(gpu.key)),
                (
                    "steps",
                    .array(
                        rows.map {
                            .object(
                                JSONObject([
                                    ("model", .string($0.step.model)), ("tp", .int($0.step.tp)),
                                    ("batch", .int($0.step.batch)),
                                    ("context", .int($0.step.context)),
                                    ("touched_per_layer", .double($0.step.touchedPerLayer)),
                                    ("measured_ms", .double($0.step.measuredMs)), ("before_ms", .double($0.beforeMs)),
                                    ("after_ms", .double($0.afterMs)),
                                ]))
                        })
                ),
                ("before_median_error_percent", .double(b.median)), ("before_worst_error_percent", .double(b.worst)),
                ("after_median_error_percent", .double(a.median)), ("after_worst_error_percent", .double(a.worst)),
            ]))
    }
}
