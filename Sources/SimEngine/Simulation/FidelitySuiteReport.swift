import MoECore

/// The validation suite's report: every compared figure, then median and worst |error| per GPU, per source and
/// per figure, fit rows and held-out rows apart (docs/calibration.md "The validation suite").
package struct FidelitySuiteReport: Sendable {
    package var rows: [SuiteComparison]
    /// Rows that could not be replayed, with the reason.
    package var failures: [(id: String, reason: String)]
    /// Rows the suite marks as not faithfully replayable (``ValidationRow/excluded``), with the reason: listed,
    /// not counted.
    package var excluded: [(id: String, reason: String)]

    package init(
        rows: [SuiteComparison], failures: [(id: String, reason: String)] = [],
        excluded: [(id: String, reason: String)] = []
    ) {
        self.rows = rows
        self.failures = failures
        self.excluded = excluded
    }

    /// Summaries of one split: overall, per GPU, per source, per figure.
    package func summaries(holdout: Bool) -> [(kind: String, summary: SuiteErrorSummary)] {
        let part = rows.filter { $0.holdout == holdout }
        guard !part.isEmpty else { return [] }
        var out: [(String, SuiteErrorSummary)] = [("all", SuiteErrorSummary(group: "all", part))]
        for gpu in Set(part.map(\.gpu)).sorted() {
            out.append(("gpu", SuiteErrorSummary(group: gpu, part.filter { $0.gpu == gpu })))
        }
        for source in Set(part.map(\.source)).sorted() {
            out.append(("source", SuiteErrorSummary(group: source, part.filter { $0.source == source })))
        }
        for figure in Set(part.map(\.figure)).sorted() {
            out.append(
                ("figure", SuiteErrorSummary(group: figure.rawValue, part.filter { $0.figure == figure })))
        }
        // Rows of vLLM before 0.10 are counted apart as well as within the groups above.
        for generation in VLLMGeneration.allCases where part.contains(where: { $0.generation == generation }) {
            out.append(
                ("engine", SuiteErrorSummary(group: generation.rawValue, part.filter { $0.generation == generation })))
        }
        return out
    }

    /// The held-out groups (per GPU type and per figure) that miss the targets.
    package var heldOutMisses: [SuiteErrorSummary] {
        summaries(holdout: true).filter { $0.kind == "gpu" || $0.kind == "figure" }.map(\.summary).filter {
            !$0.meetsTargets
        }
    }

    /// The report as text.
    package func table() -> String {
        // The row column fits the longest id, so an id never runs into the next column.
        let idWidth = max(34, (rows.map(\.id) + failures.map(\.id) + excluded.map(\.id)).map(\.count).max() ?? 0) + 2
        var lines = [
            pad("row", idWidth) + pad("split", 8) + pad("gpu", 6) + pad("figure", 11) + pad("statistic", 13)
                + pad("measured", 11, right: true) + pad("simulated", 11, right: true) + pad("error %", 9, right: true)
        ]
        for r in rows {
            lines.append(
                pad(r.id, idWidth) + pad(r.holdout ? "holdout" : "fit", 8) + pad(r.gpu, 6) + pad(r.figure.rawValue, 11)
                    + pad(r.statistic.rawValue, 13) + pad(fixed(r.measured, 2), 11, right: true)
                    + pad(fixed(r.simulated, 2), 11, right: true) + pad(fixed(r.errorPercent, 1), 9, right: true))
        }
        for f in failures { lines.append(pad(f.id, idWidth) + "not replayed: " + f.reason) }
        for x in excluded { lines.append(pad(x.id, idWidth) + "excluded: " + x.reason) }
        for holdout in [false, true] {
            let s = summaries(holdout: holdout)
            guard !s.isEmpty else { continue }
            lines.append("")
            lines.append(
                (holdout ? "held-out rows" : "fit rows") + " (median |error| / worst |error| / median signed error)")
            for (kind, e) in s {
                lines.append(
                    "  " + pad(kind, 7) + pad(e.group, 40) + pad("n=\(e.count)", 7)
                        + pad(fixed(e.medianAbsPercent, 1), 7, right: true)
                        + " /" + pad(fixed(e.worstAbsPercent, 1), 7, right: true) + " /"
                        + pad(fixed(e.medianSignedPercent, 1), 7, right: true)
                        + (holdout && (kind == "gpu" || kind == "figure") && !e.meetsTargets ? "  misses target" : ""))
            }
        }
        let misses = heldOutMisses
        lines.append("")
        lines.append(
            misses.isEmpty
                ? "held-out targets (median |error| ≤ 10 %, worst ≤ 25 % per GPU and per figure): met"
                : "held-out targets (median |error| ≤ 10 %, worst ≤ 25 % per GPU and per figure): missed by "
                    + misses.map(\.group).joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// The report as JSON: `rows`, `failures`, `excluded`, and `summary` (`fit` and `holdout`, each a list of groups).
    package func json() -> JSONValue {
        func summaryJSON(_ holdout: Bool) -> JSONValue {
            .array(
                summaries(holdout: holdout).map { kind, e in
                    .object(
                        JSONObject([
                            ("kind", .string(kind)), ("group", .string(e.group)), ("count", .int(e.count)),
                            ("median_abs_error_percent", .double(e.medianAbsPercent)),
                            ("worst_abs_error_percent", .double(e.worstAbsPercent)),
                            ("median_error_percent", .double(e.medianSignedPercent)),
                            ("meets_targets", .bool(e.meetsTargets)),
                        ]))
                })
        }
        return .object(
            JSONObject([
                (
                    "rows",
                    .array(
                        rows.map {
                            .object(
                                JSONObject([
                                    ("id", .string($0.id)), ("source", .string($0.source)), ("gpu", .string($0.gpu)),
                                    ("split", .string($0.holdout ? "holdout" : "fit")),
                                    ("figure", .string($0.figure.rawValue)),
                                    ("statistic", .string($0.statistic.rawValue)),
                                    ("measured", .double($0.measured)), ("simulated", .double($0.simulated)),
                                    ("error_percent", .double($0.errorPercent)),
                                ]))
                        })
                ),
                (
                    "failures",
                    .array(
                        failures.map {
                            .object(JSONObject([("id", .string($0.id)), ("reason", .string($0.reason))]))
                        })
                ),
                (
                    "excluded",
                    .array(
                        excluded.map {
                            .object(JSONObject([("id", .string($0.id)), ("reason", .string($0.reason))]))
                        })
                ),
                ("summary", .object(JSONObject([("fit", summaryJSON(false)), ("holdout", summaryJSON(true))]))),
                ("heldout_targets_met", .bool(heldOutMisses.isEmpty)),
            ]))
    }
}

private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return right ? fill + s : s + fill
}
