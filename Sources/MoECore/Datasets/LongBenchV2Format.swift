/// LongBench-v2 rows: `{"_id", "domain", "sub_domain", "difficulty", "length", "question", "choice_A"…"choice_D",
/// "answer", "context"}` (docs/moecap-metrics.md §10, `longbench_v2_loader.py`).
package enum LongBenchV2Format {
    /// The row fields the prompt is made of, in template order.
    static let promptFields = ["context", "question", "choice_A", "choice_B", "choice_C", "choice_D"]

    /// MoE-CAP's LongBench-v2 input, character for character (docs/moecap-metrics.md §10).
    package static func prompt(
        context: String, question: String, choiceA: String, choiceB: String, choiceC: String, choiceD: String
    ) -> String {
        "Please read the following document and answer the multiple-choice question.\n\n--- Document ---\n"
            + context + "\n\n--- Question ---\n" + question + "\n\n--- Options ---\nA. " + choiceA + "\nB. "
            + choiceB + "\nC. " + choiceC + "\nD. " + choiceD
            + "\n\nFormat your response as follows: \"The correct answer is (insert answer here)\"."
    }

    static func parse(_ row: JSONObject) -> RowOutcome {
        var values: [String] = []
        for field in promptFields {
            switch requiredString(row, field) {
            case .success(let s): values.append(s)
            case .failure(let problem): return .skip(problem.message + ", row skipped")
            }
        }
        let input = prompt(
            context: values[0], question: values[1], choiceA: values[2], choiceB: values[3], choiceC: values[4],
            choiceD: values[5])
        let id = row["_id"]?.stringValue
        switch requiredString(row, "answer") {
        case .success(let answer):
            return .item(input: input, target: answer, id: id, notes: [])
        case .failure(let problem):
            return .item(input: input, target: "", id: id, notes: [problem.message + ", target is empty"])
        }
    }
}
