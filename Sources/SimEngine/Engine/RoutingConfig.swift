import MoECore

/// How the simulated router spreads tokens over experts (per MoE layer, each token picks its top-k experts).
///
/// - `uniform`: every expert equally popular.
/// - `zipf(exponent:)`: the expert of popularity rank r (1-based) has weight r^-exponent; each MoE layer ranks
///   its experts by an independent seeded permutation, so different layers have different hot experts.
/// - `counts(_:)`: measured token counts, one row per MoE layer (or a single row used for every layer), one column
///   per expert; weights are the counts.
///
/// The default, ``calibrated``, is Zipf with exponent 1.0: it reproduces the distinct-expert counts MoE-CAP's old
/// leaderboard measured (docs/moecap-metrics.md §6) far better than uniform routing (Mixtral-8x22B batch 5: 5.44 vs
/// 5.34 measured, uniform 6.10; DBRX batch 8: 12.6 vs 12.2, uniform 14.4; batch 5: 10.5 vs 10.51, uniform 12.2;
/// Qwen1.5-MoE batch 16: 29.4 vs 27.25, uniform 40.1).
package enum RoutingConfig: Sendable, Equatable {
    case uniform
    case zipf(exponent: Double)
    case counts([[Double]])

    /// The routing the calibration used (Zipf, exponent 1.0).
    package static let calibrated = RoutingConfig.zipf(exponent: 1.0)

    /// Parses `uniform`, `zipf` (exponent 1.0) or `zipf:<exponent>`; counts come from ``init(countsJSON:)``.
    /// - Throws: ``EngineConfigError`` for anything else.
    package init(parsing text: String) throws(EngineConfigError) {
        let lower = text.lowercased()
        if lower == "uniform" {
            self = .uniform
        } else if lower == "zipf" || lower == "skewed" {
            self = .calibrated
        } else if lower.hasPrefix("zipf:"), let e = Double(lower.dropFirst(5)), e.isFinite, e >= 0 {
            self = .zipf(exponent: e)
        } else {
            throw EngineConfigError(
                "invalid routing '\(text)': expected uniform, zipf, zipf:<exponent ≥ 0> or a counts file")
        }
    }

    /// Reads a counts matrix: a JSON array of rows (arrays of non-negative numbers), or an object whose `counts`
    /// member is such an array.
    /// - Throws: ``EngineConfigError`` when the shape or a value is wrong.
    package init(countsJSON json: JSONValue) throws(EngineConfigError) {
        let rowsValue = json["counts"] ?? json
        guard let rows = rowsValue.arrayValue, !rows.isEmpty else {
            throw EngineConfigError("routing counts must be a non-empty JSON array of rows (layers × experts)")
        }
        var matrix: [[Double]] = []
        for (i, row) in rows.enumerated() {
            guard let cells = row.arrayValue, !cells.isEmpty else {
                throw EngineConfigError("routing counts row \(i) is not a non-empty array of numbers")
            }
            var out: [Double] = []
            for cell in cells {
                guard let v = cell.doubleValue, v.isFinite, v >= 0 else {
                    throw EngineConfigError("routing counts row \(i) has a value that is not a number ≥ 0")
                }
                out.append(v)
            }
            matrix.append(out)
        }
        self = .counts(matrix)
    }

    /// Short description for summaries.
    package var label: String {
        switch self {
        case .uniform: return "uniform"
        case .zipf(let e): return "zipf:\(e)"
        case .counts(let m): return "counts(\(m.count)x\(m.first?.count ?? 0))"
        }
    }
}
