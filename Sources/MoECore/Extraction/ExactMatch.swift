/// MoE-CAP's accuracy result (`compute_exact_match`, docs/moecap-metrics.md §11): `exact_match` = correct / total,
/// `no_answer` = empty predictions (counted wrong).
package struct ExactMatchResult: Sendable, Equatable {
    /// `exact_match` (0…1; 0.0 for no items). Published as `quality.acc`.
    package var exactMatch: Double
    package var correct: Int
    package var total: Int
    package var noAnswer: Int

    package init(exactMatch: Double, correct: Int, total: Int, noAnswer: Int) {
        self.exactMatch = exactMatch
        self.correct = correct
        self.total = total
        self.noAnswer = noAnswer
    }

    /// `{"exact_match", "correct", "total", "no_answer"}` in that order.
    package var json: JSONValue {
        .object([
            "exact_match": .double(exactMatch), "correct": .int(correct), "total": .int(total),
            "no_answer": .int(noAnswer),
        ])
    }
}

/// Predictions and targets of different lengths (Python's `ValueError` in `compute_exact_match`).
package struct ExactMatchLengthError: Error, CustomStringConvertible, Sendable, Equatable {
    package let predictions: Int
    package let targets: Int
    package var description: String {
        "Predictions (\(predictions)) and targets (\(targets)) must have the same length"
    }
}

/// Exact-match scoring as MoE-CAP does it (§11).
package enum ExactMatch {
    /// `compute_exact_match(predictions, targets)`: both sides stripped and lower-cased, then compared as plain
    /// strings (code point equality); an empty prediction counts in `no_answer` and is wrong.
    /// - Throws: ``ExactMatchLengthError`` when the lists differ in length.
    package static func compute(predictions: [String], targets: [String]) throws(ExactMatchLengthError)
        -> ExactMatchResult
    {
        guard predictions.count == targets.count else {
            throw ExactMatchLengthError(predictions: predictions.count, targets: targets.count)
        }
        var correct = 0
        var noAnswer = 0
        for (pred, target) in zip(predictions, targets) {
            let p = PythonText.strip(pred).lowercased()
            let t = PythonText.strip(target).lowercased()
            if p.isEmpty {
                noAnswer += 1
                continue
            }
            if PythonText.equal(p, t) { correct += 1 }
        }
        let total = predictions.count
        return ExactMatchResult(
            exactMatch: total > 0 ? Double(correct) / Double(total) : 0.0, correct: correct, total: total,
            noAnswer: noAnswer)
    }

    /// Accuracy of a run with failure-as-zero (§11): one response per target, a failed or missing request is nil
    /// and scores as the prediction `""`; every response goes through ``AnswerExtractor/extract(_:dataset:)``.
    /// - Throws: ``ExactMatchLengthError`` when the lists differ in length.
    package static func accuracy(responses: [String?], targets: [String], dataset: String)
        throws(ExactMatchLengthError) -> ExactMatchResult
    {
        let predictions = responses.map { AnswerExtractor.extract($0 ?? "", dataset: dataset) }
        return try compute(predictions: predictions, targets: targets)
    }
}
