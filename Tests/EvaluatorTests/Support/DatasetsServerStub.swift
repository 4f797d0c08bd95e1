import Evaluator
import EvaluatorClient
import MoECore

/// Answers like the Hugging Face datasets server (`/splits` and `/rows`) for one split held in memory, with
/// switches for the failures the downloader must detect.
struct DatasetsServerStub: Sendable {
    var dataset = "openai/gsm8k"
    var config = "main"
    var split = "test"
    var rows: [JSONValue]
    /// `num_rows_total` to announce; nil announces `rows.count`.
    var announcedTotal: Int?
    /// When set, requests without `Authorization: Bearer <token>` get 401.
    var requiredToken: String?
    /// The page offset whose answer is replaced by malformed JSON.
    var malformedPageOffset: Int?

    init(rowCount: Int) {
        rows = (0..<rowCount).map { ["question": .string("q\($0) ünïcode"), "answer": .string("#### \($0)")] }
    }

    func reply(to request: TestRequest) -> TestReply {
        if let requiredToken, request.headers["Authorization"] != "Bearer \(requiredToken)" {
            return .json(401, ["error": "The dataset is gated. Authentication required."])
        }
        switch request.path {
        case "/splits":
            guard request.query("dataset") == dataset else { return .json(404, ["error": "Not found."]) }
            return .json(
                200, ["splits": [["dataset": .string(dataset), "config": .string(config), "split": .string(split)]]])
        case "/rows":
            guard request.query("dataset") == dataset, request.query("config") == config,
                request.query("split") == split
            else { return .json(404, ["error": "The dataset does not exist."]) }
            guard let offset = request.query("offset").flatMap({ Int($0) }),
                let length = request.query("length").flatMap({ Int($0) }), offset >= 0, (1...100).contains(length)
            else { return .json(422, ["error": "bad offset or length"]) }
            if offset == malformedPageOffset {
                return .response(
                    status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"rows\": [".utf8))
            }
            let page = rows.indices.clamped(to: offset..<min(offset + length, rows.count))
            let entries: [JSONValue] = page.map {
                .object(["row_idx": .int($0), "row": rows[$0], "truncated_cells": []])
            }
            return .json(
                200,
                [
                    "features": [], "rows": .array(entries), "num_rows_total": .int(announcedTotal ?? rows.count),
                    "num_rows_per_page": 100, "partial": false,
                ])
        default:
            return .json(404, ["error": "Not found."])
        }
    }
}
