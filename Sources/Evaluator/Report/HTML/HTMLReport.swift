import Foundation
import MoECore

/// `report.html`: one self-contained page of a run's results (docs/report.md) — the headline table, the roofline
/// with MoE-CAP's S-MBU/S-MFU beside the simulator's ground truth, batch size, latency and expert activation per
/// step, the client's TTFT/TPOT/E2E distributions and expert activation per layer. Inline SVG and CSS only: no
/// script, no network.
package enum HTMLReport {
    package static let fileName = "report.html"

    /// The page for `data`.
    package static func render(_ data: ReportData) -> String {
        let title =
            "MoE-CAP report: \(data.model ?? "unknown model")" + (data.dataset.map { " on \($0)" } ?? "")
        var body = "<h1>\(htmlEscape(title))</h1>"
        var notes: [String] = []

        if !data.coverage.isEmpty {
            body += "<p class=\"note files\">" + data.coverage.map(htmlEscape).joined(separator: " ") + "</p>"
        }
        body += "<section><h2>Headline</h2><table class=\"headline\">"
        for (k, v) in HeadlineTable.rows(data) {
            body += "<tr><th>\(htmlEscape(k))</th><td>\(htmlEscape(v))</td></tr>"
        }
        body += "</table>"
        if let note = HeadlineTable.servingNote(data) {
            body += "<p class=\"note serving\">\(htmlEscape(note))</p>"
        }
        body += "</section>"

        body += "<section><h2>Roofline</h2>"
        let roofline = RooflineChart.render(data)
        if let svg = roofline.svg { body += "<figure>\(svg)</figure>" }
        body += "<p class=\"note\">\(htmlEscape(roofline.note))</p>"
        let util = RooflineChart.utilizationRows(data.metrics)
        if !util.isEmpty {
            body +=
                "<table class=\"util\"><tr><th>phase</th><th>MoE-CAP S-MBU</th><th>true bandwidth util.</th>"
                + "<th>MoE-CAP S-MFU</th><th>true FLOPS util.</th></tr>"
            for (phase, smbu, mbu, smfu, mfu) in util {
                body += "<tr><th>\(phase)</th><td>\(smbu)</td><td>\(mbu)</td><td>\(smfu)</td><td>\(mfu)</td></tr>"
            }
            body += "</table>"
        }
        body += "</section>"

        let timeline = TimelineCharts.render(data)
        body += "<section><h2>Steps over time</h2>"
        if timeline.isEmpty { notes.append("No batch records: no step charts.") }
        body += timeline.map { "<figure>\($0)</figure>" }.joined() + "</section>"

        let distributions = DistributionCharts.render(data)
        body += "<section><h2>Request latency distributions</h2>"
        if distributions.isEmpty {
            body += "<p class=\"note\">No per-request timings in these files.</p>"
        }
        let servingNote = HeadlineTable.servingNote(data).map {
            "<p class=\"note serving\">\(htmlEscape($0))</p>"
        }
        body +=
            distributions.enumerated().map { i, chart in
                // The note goes under the TTFT and E2E histograms, which the router's queue dominates.
                "<figure>\(chart)\(i != 1 ? servingNote ?? "" : "")</figure>"
            }.joined() + "</section>"

        if let experts = ExpertLayerChart.render(data) {
            body += "<section><h2>Expert activation per layer</h2><figure>\(experts)</figure></section>"
        }
        if let warnings = data.metrics["warnings"]?.arrayValue, !warnings.isEmpty {
            notes += warnings.compactMap(\.stringValue)
        }
        if !notes.isEmpty {
            body += "<section><h2>Notes</h2><ul>"
            body += notes.map { "<li>\(htmlEscape($0))</li>" }.joined() + "</ul></section>"
        }
        body +=
            "<footer>Built by moecap-eval \(htmlEscape(MoECoreVersion.string)) from "
            + "\(htmlEscape(data.sources.joined(separator: ", ")))</footer>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(htmlEscape(title))</title>
            <style>\(style)</style></head>
            <body>\(body)</body></html>

            """
    }

    /// Writes `report.html` into `directory` from its files.
    /// - Returns: the page's path.
    /// - Throws: ``ReportSources/Problem`` when the folder holds nothing to report, ``OutputError`` when the page
    ///   cannot be written.
    @discardableResult
    package static func write(directory: String, written: [String: JSONValue] = [:]) throws -> String {
        let data = try ReportSources.load(directory: directory, written: written)
        let path = (directory as NSString).appendingPathComponent(fileName)
        let tmp = path + ".tmp"
        guard FileBytes.writeFile(tmp, Array(render(data).utf8)),
            rename(tmp, path) == 0
        else { throw OutputError(description: "cannot write \(path)") }
        return path
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1340px;\
        color:#222;padding:0 16px}
        h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
        section{margin-bottom:12px}figure{display:block;margin:10px 0}
        figure p.note{margin:4px 0 0;font-size:13px}
        svg.chart{background:#fff;border:1px solid #e6e6e6;border-radius:4px;width:100%;height:auto}
        table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 12px;border-bottom:1px solid #eee;\
        text-align:left}td{font-variant-numeric:tabular-nums}
        table.headline{columns:2}.note{color:#555}footer{margin-top:32px;color:#777;font-size:12px}
        """
}
