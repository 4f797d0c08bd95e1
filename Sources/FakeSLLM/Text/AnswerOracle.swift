import Foundation
import MoECore
import SimEngine

/// Answers prompts that match a known dataset item, in that dataset's style, right with a set probability.
///
/// The oracle reads a dataset file in its own row schema (the evaluator's `--data-file`), and recognises a chat
/// request whose last user message is an item's input (as both prompt styles send it). Whether the item is
/// answered right is decided once per item from the seed, so repeated runs agree and the measured exact match
/// over N items is a binomial draw around the configured accuracy. Unknown prompts get filler text.
/// Immutable after init; safe from any thread.
final class AnswerOracle: Sendable {
    let settings: OracleSettings
    let kind: DatasetKind
    private let seed: UInt64
    /// Item by the hash of its input text.
    private let items: [UInt64: DatasetItem]

    /// Loads the dataset file.
    /// - Throws: ``SettingsError`` naming the file when it cannot be read or parsed.
    init(settings: OracleSettings, seed: UInt64) throws(SettingsError) {
        self.settings = settings
        self.seed = seed
        guard let bytes = readFileBytes(settings.datasetFile) else {
            throw SettingsError("oracle: cannot read dataset file \(settings.datasetFile)")
        }
        let rows: DatasetRows
        do { rows = try DatasetFile.rows(fromContents: bytes, path: settings.datasetFile) } catch {
            throw SettingsError("oracle: \(error)")
        }
        let kind: DatasetKind
        if let name = settings.dataset {
            do { kind = try DatasetKind(parsing: name) } catch { throw SettingsError("oracle: \(error)") }
        } else {
            kind = AnswerOracle.guessKind(rows)
        }
        let dataset: Dataset
        do { dataset = try Dataset(kind: kind, rows: rows) } catch { throw SettingsError("oracle: \(error)") }
        self.kind = kind
        var index: [UInt64: DatasetItem] = [:]
        for item in dataset.items { index[AnswerOracle.key(item.input)] = item }
        items = index
    }

    /// Number of items it recognises.
    var count: Int { items.count }

    /// The oracle's answer for a user message, or nil when the message is not a known item.
    func answer(for userMessage: String) -> OracleAnswer? {
        guard let item = items[AnswerOracle.key(userMessage)] else { return nil }
        var rng = SimRandom(seed: seed ^ stableHash(item.input.utf8, seed: 0x0A11_CE5E))
        let right = rng.uniform() < settings.accuracy
        let answer = right ? item.target : AnswerOracle.wrong(item.target, kind: kind, rng: &rng)
        return OracleAnswer(texts: [AnswerOracle.render(answer, kind: kind, rng: &rng)])
    }

    private static func key(_ text: String) -> UInt64 {
        stableHash(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    }

    /// A different answer of the same form.
    static func wrong(_ target: String, kind: DatasetKind, rng: inout SimRandom) -> String {
        switch kind {
        case .longbenchV2:
            let letters = ["A", "B", "C", "D"].filter { $0 != target.uppercased() }
            return letters[Int(rng.next() % UInt64(letters.count))]
        case .gsm8k, .numinamath:
            if let n = Int(target) { return String(n + 1 + Int(rng.next() % 9)) }
            return String(1 + rng.next() % 97)
        }
    }

    /// The answer in the dataset's style: a short worked solution ending the way each extractor expects.
    static func render(_ answer: String, kind: DatasetKind, rng: inout SimRandom) -> String {
        var filler = CompletionText(seed: rng.next())
        let reasoning = filler.pieces(12 + Int(rng.next() % 20)).joined()
        switch kind {
        case .gsm8k: return "Let us work through the problem. \(reasoning).\nThe answer is \(answer).\n#### \(answer)"
        case .numinamath:
            return "We solve it step by step. \(reasoning).\nTherefore, the answer is $\\boxed{\(answer)}$."
        case .longbenchV2: return "After reading the document: \(reasoning).\nThe correct answer is (\(answer))"
        }
    }

    /// The dataset a file's rows belong to, from their fields.
    static func guessKind(_ rows: DatasetRows) -> DatasetKind {
        let first = rows.values.first.flatMap { $0["row"] ?? $0 }
        if first?["choice_A"] != nil { return .longbenchV2 }
        if first?["messages"] != nil || first?["problem"] != nil { return .numinamath }
        return .gsm8k
    }
}

/// What the oracle says for one item.
struct OracleAnswer: Sendable {
    let texts: [String]
    func text(choice: Int) -> String { texts[choice % texts.count] }
}
