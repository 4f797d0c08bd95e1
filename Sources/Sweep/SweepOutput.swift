import Foundation
import MoECore

/// The files of a sweep: one CSV row and one JSON object per point, same columns in the same order.
package enum SweepOutput {
    /// RFC 4180 CSV with a header line; numbers as JSON writes them, null as an empty field.
    package static func csv(_ rows: [SweepRow]) -> String {
        guard let first = rows.first else { return "" }
        var out = first.columns.map { field($0.name) }.joined(separator: ",") + "\n"
        for row in rows {
            out += row.columns.map { c -> String in
                switch c.value {
                case .null: return ""
                case .string(let s): return field(s)
                default: return field(c.value.serialized())
                }
            }.joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// `{"points": [...], …}` with the grid's description first.
    package static func json(_ rows: [SweepRow], description: JSONObject) -> JSONValue {
        var o = description
        o["points"] = .array(rows.map(\.json))
        return .object(o)
    }

    private static func field(_ s: String) -> String {
        guard s.contains(",") || s.contains("\"") || s.contains("\n") else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
