import MoECore

/// libFuzzer entry: a dataset file (JSONL, a JSON array or a datasets-server page) read into rows, then each
/// dataset's row parser over them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDatasetRows(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for path in ["fuzz.jsonl", "fuzz.json"] {
        guard let rows = try? DatasetFile.rows(fromContents: bytes, path: path) else { continue }
        for kind in DatasetKind.allCases {
            _ = try? DatasetRowParser.parse(rows, kind: kind)
            _ = try? DatasetRowParser.parse(rows, kind: kind, subDomain: "Financial")
        }
    }
    return 0
}
