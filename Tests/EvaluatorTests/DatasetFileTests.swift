import MoECore
import Testing

@testable import Evaluator

@Suite struct DatasetFileTests {
    @Test func jsonLinesWithBlankLinesAndCRLF() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let path = try dir.write(
            "g.jsonl",
            "{\"question\": \"A\", \"answer\": \"#### 1\"}\r\n\r\n   \n{\"answer\": \"#### 2\"}\n"
                + "{\"question\": \"C\", \"answer\": \"#### 3\"}")
        let dataset = try DatasetLoader.load(kind: .gsm8k, source: .file(path))
        #expect(dataset.items.map(\.input) == ["A", "C"])
        #expect(dataset.items.map(\.target) == ["1", "3"])
        #expect(dataset.warnings.map(\.description) == ["\(path):4: no 'question' field, row skipped"])
    }

    @Test func badLineIsAnErrorNamingFileAndLine() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let path = try dir.write(
            "bad.jsonl", "{\"question\": \"A\"}\n\n{\"question\": \"x\", }\n{\"question\": \"B\"}\n")
        let expected = DatasetFileError.invalidJSON(
            path: path, line: 3, column: 19, message: "Expecting property name enclosed in double quotes")
        #expect(throws: expected) { try DatasetFile.rows(atPath: path) }
        #expect(
            expected.description
                == "\(path):3: invalid JSON: Expecting property name enclosed in double quotes (column 19)")
        // With a .jsonl name, a bad first line is reported as such, not read as a pretty-printed document.
        let first = try dir.write("first.jsonl", "{\"question\": \n{\"question\": \"B\"}\n")
        #expect(throws: DatasetFileError.invalidJSON(path: first, line: 1, column: 14, message: "Expecting value")) {
            try DatasetFile.rows(atPath: first)
        }
    }

    @Test func jsonArrayFile() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let path = try dir.write(
            "rows.json", "[\n  {\"question\": \"A\", \"answer\": \"#### 1\"},\n  {\"answer\": \"#### 2\"}\n]\n")
        let dataset = try DatasetLoader.load(kind: .gsm8k, source: .file(path))
        #expect(dataset.items.map(\.target) == ["1"])
        #expect(dataset.warnings.map(\.description) == ["\(path) row 1: no 'question' field, row skipped"])
    }

    @Test func brokenDocumentErrorHasLineAndColumn() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let path = try dir.write("rows.json", "[\n  {\"question\": \"a\"},\n  {\"question\": \"b\"\n]\n")
        #expect(
            throws: DatasetFileError.invalidJSON(path: path, line: 4, column: 1, message: "Expecting ',' delimiter")
        ) {
            try DatasetFile.rows(atPath: path)
        }
    }

    @Test func datasetsServerPageFile() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let page = """
            {
              "features": [{"feature_idx": 0, "name": "question", "type": {"dtype": "string", "_type": "Value"}}],
              "rows": [
                {"row_idx": 100, "row": {"question": "A", "answer": "#### 5"}, "truncated_cells": []},
                {"row_idx": 101, "row": {"question": 3, "answer": "#### 6"}, "truncated_cells": []}
              ],
              "num_rows_total": 1319, "num_rows_per_page": 100, "partial": false
            }
            """
        let path = try dir.write("page.json", page)
        let dataset = try DatasetLoader.load(kind: .gsm8k, source: .file(path))
        #expect(dataset.items == [DatasetItem(index: 0, input: "A", target: "5")])
        #expect(
            dataset.warnings.map(\.description) == ["\(path) row 101: 'question' is int, expected str, row skipped"])
        // The same page on one line.
        let oneLine = try dir.write(
            "page1.json", "{\"rows\": [{\"row_idx\": 7, \"row\": {\"question\": \"B\", \"answer\": \"#### 8\"}}]}")
        #expect(try DatasetLoader.load(kind: .gsm8k, source: .file(oneLine)).items.map(\.target) == ["8"])
    }

    @Test func singleRowObjectFile() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let path = try dir.write("one.json", "\u{FEFF}{\"question\": \"Only\", \"answer\": \"#### 9\"}\n")
        let rows = try DatasetFile.rows(atPath: path)
        #expect(rows.values.count == 1)
        #expect(rows.location(of: 0) == "\(path):1")
        #expect(try Dataset(kind: .gsm8k, rows: rows).items.map(\.target) == ["9"])
    }

    @Test func missingDirectoryEmptyAndShapelessFiles() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let missing = dir.path + "/nope.jsonl"
        #expect(throws: DatasetFileError.notFound(path: missing)) { try DatasetFile.rows(atPath: missing) }
        #expect(DatasetFileError.notFound(path: missing).description == "dataset file not found: \(missing)")
        #expect(throws: DatasetFileError.isDirectory(path: dir.path)) { try DatasetFile.rows(atPath: dir.path) }
        let empty = try dir.write("empty.jsonl", "")
        #expect(throws: DatasetFileError.empty(path: empty)) { try DatasetFile.rows(atPath: empty) }
        let blank = try dir.write("blank.jsonl", " \n\r\n\t\n")
        #expect(throws: DatasetFileError.empty(path: blank)) { try DatasetFile.rows(atPath: blank) }
        let string = try dir.write("s.json", "\"just text\"\n")
        #expect(throws: DatasetFileError.unexpectedShape(path: string, found: "str")) {
            try DatasetFile.rows(atPath: string)
        }
        #expect(
            DatasetFileError.unexpectedShape(path: "s.json", found: "str").description
                == #"s.json: expected JSON Lines, a JSON array of rows or an object with a "rows" array, found a str"#)
    }

    @Test func fileWithoutUsableRowsIsAnError() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let path = try dir.write("wrong.jsonl", "{\"problem\": \"x\"}\n{\"problem\": \"y\"}\n")
        let expected = DatasetError.noUsableRows(
            origin: path, skipped: 2, firstProblem: "\(path):1: no 'question' field, row skipped")
        #expect(throws: expected) { try DatasetLoader.load(kind: .gsm8k, source: .file(path)) }
    }

    @Test func rowsInMemoryAndFixedLengthThroughTheLoader() throws {
        let rows: [JSONValue] = [["question": "First question here.", "answer": "#### 1"], ["question": "Second."]]
        let plain = try DatasetLoader.load(kind: .gsm8k, source: .rows(rows, origin: "hub"), numSamples: 1)
        #expect(plain.items.map(\.input) == ["First question here."])
        let fixed = try DatasetLoader.load(
            kind: .gsm8k, source: .rows(rows, origin: "hub"), numSamples: 3,
            fixedLength: FixedLengthSpec(inputTokens: 64, outputTokens: 16))
        #expect(fixed.items.count == 3)
        #expect(fixed.items.map { $0.input.hasPrefix("First") } == [true, false, true])
        #expect(fixed.ignoreEOS && fixed.maxTokens == 16)
        #expect(fixed.warnings.map(\.description) == ["hub row 1: no 'answer' field, target is empty"])
    }
}
