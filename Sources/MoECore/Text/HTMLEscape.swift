/// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe in HTML and SVG element text and in attribute values
/// (the report's and the sweep chart's one escaper).
package func htmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
