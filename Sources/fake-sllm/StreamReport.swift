import Foundation
import MoECore
import SimEngine

/// Text and JSON renderings of `fake-sllm fidelity --streams`: per suite row, `vllm bench serve`'s client-side
/// distribution figures as the row states them beside the simulated run's (docs/calibration.md "Stream
/// statistics"). Not scored: the suite's error summary compares means and throughput only.
enum StreamReport {
    /// One figure: its suite name, unit and the simulated value.
    struct Figure {
        var name: String
        var simulated: Double
    }

    /// The figures in print order, named as the suite names the measured ones (ms, s, chunks per second).
    static func figures(_ s: StreamStatistics) -> [Figure] {
        [
            Figure(name: "ttft_mean_ms", simulated: s.ttft.mean * 1e3),
            Figure(name: "ttft_median_ms", simulated: s.ttft.median * 1e3),
            Figure(name: "ttft_p99_ms", simulated: s.ttft.p99 * 1e3),
            Figure(name: "tpot_mean_ms", simulated: s.tpot.mean * 1e3),
            Figure(name: "tpot_median_ms", simulated: s.tpot.median * 1e3),
            Figure(name: "tpot_p99_ms", simulated: s.tpot.p99 * 1e3),
            Figure(name: "itl_mean_ms", simulated: s.itl.mean * 1e3),
            Figure(name: "itl_median_ms", simulated: s.itl.median * 1e3),
            Figure(name: "itl_p99_ms", simulated: s.itl.p99 * 1e3),
            Figure(name: "duration_s", simulated: s.duration),
            // vLLM bench's "peak output token throughput" counts stream messages per one-second bucket.
            Figure(name: "peak_output_throughput_tok_s", simulated: Double(s.peakChunksPerSecond)),
        ]
    }

    /// One block per row: figure, measured (or "–" where the row does not state it), simulated, error %.
    static func table(_ rows: [(case: SuiteCase, simulated: StreamStatistics)]) -> String {
        func r(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines = ["Stream statistics (vllm bench serve's client-side figures; not scored):"]
        for (c, s) in rows {
            lines.append("\(c.id) (\(c.holdout ? "holdout" : "fit"))")
            for f in figures(s) {
                let m = c.measuredStreams[f.name]
                let error = m.map { $0 != 0 ? String(format: "%.1f", (f.simulated - $0) / $0 * 100) : "–" } ?? "–"
                lines.append(
                    "  " + f.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                        + r(m.map { String(format: "%.2f", $0) } ?? "–", 12)
                        + r(String(format: "%.2f", f.simulated), 12) + r(error, 9))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `[{"id", "split", "figures": {name: {"measured"?, "simulated"}}}]`.
    static func json(_ rows: [(case: SuiteCase, simulated: StreamStatistics)]) -> JSONValue {
        .array(
            rows.map { c, s in
                let figures = figures(s).map { f -> (String, JSONValue) in
                    var entry: [(String, JSONValue)] = []
                    if let m = c.measuredStreams[f.name] { entry.append(("measured", .double(m))) }
                    entry.append(("simulated", .double(f.simulated)))
                    return (f.name, .object(JSONObject(entry)))
                }
                return .object(
                    JSONObject([
                        ("id", .string(c.id)), ("split", .string(c.holdout ? "holdout" : "fit")),
                        ("figures", .object(JSONObject(figures))),
                    ]))
            })
    }
}
