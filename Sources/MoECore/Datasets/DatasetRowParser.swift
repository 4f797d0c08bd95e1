/// Turns raw rows into ``DatasetItem``s for one dataset, the same way for local files and downloaded pages.
///
/// A row without the fields the prompt needs (or with a field of the wrong type) is skipped with a warning
/// naming its location; a row whose answer is missing or yields no target is kept with an empty target and a
/// warning, since MoE-CAP scores it as a miss rather than dropping it.
package enum DatasetRowParser {
    /// Items and warnings from `rows`.
    /// - Parameters:
    ///   - subDomain: LongBench-v2 only: keep rows whose `sub_domain` equals it (MoE-CAP's `dataset_subset`);
    ///     ignored for the other datasets (for gsm8k the subset names a config, which is a download matter).
    /// - Throws: ``DatasetError/noRows(origin:)``, ``DatasetError/noUsableRows(origin:skipped:firstProblem:)``,
    ///   ``DatasetError/noRowsInSubDomain(origin:subDomain:available:)``.
    package static func parse(
        _ rows: DatasetRows, kind: DatasetKind, subDomain: String? = nil
    ) throws(DatasetError) -> (items: [DatasetItem], warnings: [DatasetWarning]) {
        guard !rows.values.isEmpty else { throw .noRows(origin: rows.origin) }
        var items: [DatasetItem] = []
        items.reserveCapacity(rows.values.count)
        var warnings: [DatasetWarning] = []
        var skipped = 0
        var firstSkip: DatasetWarning?
        var subDomains: [String] = []
        func skip(_ location: String, _ message: String) {
            let warning = DatasetWarning(location: location, message: message)
            skipped += 1
            if firstSkip == nil { firstSkip = warning }
            warnings.append(warning)
        }
        for i in rows.values.indices {
            let location = rows.location(of: i)
            guard let (fields, truncated) = rows.row(at: i) else {
                skip(location, "row is \(rows.values[i].pythonTypeName), expected dict, row skipped")
                continue
            }
            if let subDomain, kind.subsetIsSubDomainFilter {
                let rowSubDomain = fields["sub_domain"]?.stringValue ?? ""
                if rowSubDomain != subDomain {
                    if !subDomains.contains(rowSubDomain) { subDomains.append(rowSubDomain) }
                    continue
                }
            }
            if !truncated.isEmpty {
                let message = "cells cut short by the datasets-server: \(truncated.joined(separator: ", "))"
                warnings.append(DatasetWarning(location: location, message: message))
            }
            switch outcome(fields, kind: kind) {
            case .skip(let message):
                skip(location, message)
            case .item(let input, let target, let id, let notes):
                items.append(DatasetItem(index: items.count, id: id, input: input, target: target))
                warnings += notes.map { DatasetWarning(location: location, message: $0) }
            }
        }
        if items.isEmpty {
            if skipped == 0, let subDomain {
                throw .noRowsInSubDomain(origin: rows.origin, subDomain: subDomain, available: subDomains)
            }
            throw .noUsableRows(origin: rows.origin, skipped: skipped, firstProblem: firstSkip?.description ?? "")
        }
        return (items, warnings)
    }

    private static func outcome(_ row: JSONObject, kind: DatasetKind) -> RowOutcome {
        switch kind {
        case .gsm8k: return GSM8KFormat.parse(row)
        case .numinamath: return NuminaMathFormat.parse(row)
        case .longbenchV2: return LongBenchV2Format.parse(row)
        }
    }
}

/// What one row yields: an item (with notes that become warnings) or a reason to skip it.
enum RowOutcome {
    case item(input: String, target: String, id: String?, notes: [String])
    case skip(String)
}

/// A field that is missing or not a string, worded for a warning.
struct FieldProblem: Error {
    let message: String
}

/// The string field `key` of `row`.
func requiredString(_ row: JSONObject, _ key: String) -> Result<String, FieldProblem> {
    guard let value = row[key] else { return .failure(FieldProblem(message: "no '\(key)' field")) }
    guard let s = value.stringValue else {
        return .failure(FieldProblem(message: "'\(key)' is \(value.pythonTypeName), expected str"))
    }
    return .success(s)
}
