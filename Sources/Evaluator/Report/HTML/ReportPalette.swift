/// The report's colours: prefill and decode apart everywhere, ceilings in grey (docs/report.md).
enum ReportPalette {
    static let prefill = "#d95f02"
    static let decode = "#1b9e77"
    static let truth = "#7570b3"
    static let ceiling = "#888888"
    static let neutral = "#386cb0"
}
