import Foundation
import Testing

@testable import FakeSLLM
@testable import MoECore
@testable import SimEngine

@Suite struct TextTests {
    @Test(arguments: [1, 2, 7, 16, 100, 1000])
    func completionTextHasExactlyTheRequestedTokens(n: Int) {
        var gen = CompletionText(seed: UInt64(n))
        let text = gen.pieces(n).joined()
        #expect(TokenEstimator.count(text) == n)
    }

    /// The estimator answers ASCII scalars from a table: the same classes Unicode's properties give.
    @Test func estimatorASCIIClassesAreUnicodes() {
        for v in 0..<128 {
            let c = Unicode.Scalar(UInt8(v))
            #expect(TokenEstimator.isWhitespace(c) == c.properties.isWhitespace, "\(v)")
            #expect(TokenEstimator.isNumeric(c) == (c.properties.numericType != nil), "\(v)")
            #expect(
                TokenEstimator.isLetter(c) == (c.properties.isAlphabetic && c.properties.numericType == nil), "\(v)")
        }
    }

    /// Chat-template markers, ASCII ones checked without building a string, others as before.
    @Test func estimatorMarkers() {
        for marker in ["[INST]", "[/INST]", "<s>", "</s>", "<|im_start|>", "<|||>", "<｜User｜>", "<｜end▁of▁sentence｜>"] {
            #expect(TokenEstimator.count(marker) == 1, "\(marker)")
        }
        #expect(TokenEstimator.count("[INS]") == 3)  // "[", "INS", "]"
        #expect(TokenEstimator.count("<|a>") == 3)  // "<|", "a", ">"
        #expect(TokenEstimator.count("<||>") == 2)  // a run of four punctuation marks
        #expect(TokenEstimator.count("[INST]Hi[/INST]") == 3)
    }

    /// Request ids are Python's `str(uuid4())`: version 4, RFC 4122 variant, lower-case hex, never repeated.
    @Test func uuid4IsAVersion4UUID() throws {
        let shape = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = uuid4()
            #expect(id.wholeMatch(of: shape) != nil, "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    /// A whole answer complete before its arrival time is known waits for it (and gets its timing headers).
    @Test func wholeAnswersWaitForTheirArrivalTime() {
        var early = SimulatedTimes()
        let held = early.holdsAnswerUntilArrival()
        #expect(held && early.headers.isEmpty)
        let released = early.arrive(at: 1.5)
        #expect(released && early.headers.first?.1 == "1.5")
        let again = early.arrive(at: 2)  // the first arrival counts; nothing waits any more
        #expect(!again && early.headers.first?.1 == "1.5")
        var late = SimulatedTimes()
        let waited = late.arrive(at: 0.25)
        let heldLate = late.holdsAnswerUntilArrival()
        #expect(!waited && !heldLate)
    }

    @Test func estimatorCountsLikeABPETokenizer() {
        #expect(TokenEstimator.count("Hello world") == 2)
        #expect(TokenEstimator.count("1234") == 4)  // digits are single tokens (Qwen, Llama)
        #expect(TokenEstimator.count("<|im_start|>user\nHi<|im_end|>\n") == 6)
        #expect(TokenEstimator.count("") == 0)
        // A typical English sentence: 1.0–1.5 tokens per word.
        let sentence =
            "Natalia sold clips to forty-eight of her friends in April, and then she sold half as many clips in May."
        let words = sentence.split(separator: " ").count
        let tokens = TokenEstimator.count(sentence)
        #expect(tokens >= words && tokens <= words * 3 / 2)
        #expect(TokenEstimator.prefix("one two three four", tokens: 2) == "one two")
    }

    @Test func chatTemplatesByFamily() throws {
        let qwen3 = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B"))
        #expect(ChatTemplate.forModel(qwen3) == .chatML)
        #expect(
            ChatTemplate.chatML.render([("system", "S"), ("user", "U")])
                == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n")
        let mixtral = try #require(ModelCatalog.spec(for: "mistralai/Mixtral-8x7B-Instruct-v0.1"))
        #expect(ChatTemplate.forModel(mixtral) == .mistral)
        #expect(ChatTemplate.mistral.render([("system", "S"), ("user", "U")]) == "<s>[INST] S\n\nU [/INST]")
        let deepseek = try #require(ModelCatalog.spec(for: "deepseek-ai/DeepSeek-V2-Lite-Chat"))
        #expect(ChatTemplate.forModel(deepseek) == .deepSeek)
        let qwen15 = try #require(ModelCatalog.spec(for: "Qwen/Qwen1.5-MoE-A2.7B-Chat"))
        #expect(ChatTemplate.addsDefaultSystem(qwen15) && !ChatTemplate.addsDefaultSystem(qwen3))
    }

    @Test func prefixHashesShareCommonPrefixes() {
        let base = String(repeating: "The same shared system prompt for every request. ", count: 8)
        let a = PrefixHashes.blocks(of: base + "Question one?", blockSize: 16)
        let b = PrefixHashes.blocks(of: base + "A different second question here?", blockSize: 16)
        #expect(a.count >= 4)
        let common = zip(a, b).prefix { $0 == $1 }.count
        #expect(common >= a.count - 1 && common >= 4)
        #expect(PrefixHashes.blocks(of: "short", blockSize: 16).isEmpty)
    }

    @Test func oracleAnswersKnownItemsInTheDatasetStyle() throws {
        let file = fixture("datasets/gsm8k_sample.jsonl")
        let oracle = try AnswerOracle(
            settings: OracleSettings(datasetFile: file, dataset: "gsm8k", accuracy: 1), seed: 3)
        #expect(oracle.count == 50)
        let rows = try DatasetFile.rows(
            fromContents: Array(try String(contentsOfFile: file, encoding: .utf8).utf8), path: file)
        let dataset = try Dataset(kind: .gsm8k, rows: rows)
        for item in dataset.items {
            let answer = try #require(oracle.answer(for: item.input)?.text(choice: 0))
            #expect(AnswerExtractor.extract(answer, dataset: "gsm8k") == item.target)
        }
        #expect(oracle.answer(for: "Something nobody asked") == nil)
        // Accuracy 0: every answer is wrong.
        let liar = try AnswerOracle(settings: OracleSettings(datasetFile: file, dataset: nil, accuracy: 0), seed: 3)
        #expect(liar.kind == .gsm8k)
        let wrong = dataset.items.filter {
            AnswerExtractor.extract(liar.answer(for: $0.input)!.text(choice: 0), dataset: "gsm8k") != $0.target
        }
        #expect(wrong.count == dataset.items.count)
    }

    @Test func oracleStylesForLetterAndBoxedDatasets() throws {
        var rng = SimRandom(seed: 1)
        let lb = AnswerOracle.render("C", kind: .longbenchV2, rng: &rng)
        #expect(AnswerExtractor.extract(lb, dataset: "longbench_v2") == "C")
        let nm = AnswerOracle.render("12", kind: .numinamath, rng: &rng)
        #expect(AnswerExtractor.extract(nm, dataset: "numinamath") == "12")
        #expect(AnswerOracle.wrong("C", kind: .longbenchV2, rng: &rng) != "C")
    }

    @Test func badOracleFileIsAClearError() {
        #expect(throws: SettingsError.self) {
            try AnswerOracle(
                settings: OracleSettings(datasetFile: "/nonexistent.jsonl", dataset: nil, accuracy: 1), seed: 0)
        }
    }
}

/// A fixture file of the package.
func fixture(_ path: String) -> String {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures/" + path).path
}

@Suite struct ModelResolutionTests {
    @Test func configFilesAndFoldersResolveLikeTheCatalog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/tiny", withIntermediateDirectories: true)
        let config =
            #"{"num_hidden_layers": 4, "hidden_size": 256, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 512, "moe_intermediate_size": 128, "num_experts": 16, "num_experts_per_tok": 2, "vocab_size": 1000, "max_position_embeddings": 2048}"#
        try config.write(toFile: dir + "/tiny/config.json", atomically: true, encoding: .utf8)
        let byFolder = try EngineSettings.resolveModel("acme/tiny", configPath: dir + "/tiny")
        let byFile = try EngineSettings.resolveModel("acme/tiny", configPath: dir + "/tiny/config.json")
        #expect(byFolder == byFile && byFile.numExperts == 16 && byFile.name == "acme/tiny")
        let builtIn = try EngineSettings.resolveModel("Qwen/Qwen3-30B-A3B", configPath: nil)
        #expect(builtIn.numLayers == 48)
        #expect(throws: SettingsError.self) { try EngineSettings.resolveModel("acme/none", configPath: nil) }
        #expect(throws: SettingsError.self) { try EngineSettings.resolveModel("acme/x", configPath: dir + "/missing") }
        // A deployment of the file-described model serves requests.
        var s = SimulatorSettings()
        s.speedup = nil
        var api = SLLMAPI(registry: DeploymentRegistry(defaults: s))
        api.configFiles = try ConfigFilePolicy(allowing: dir)  // files over HTTP need an allowed directory
        let body: JSONValue = [
            "model": "acme/tiny", "backend": "vllm_moecap", "fake_sllm": ["model_config": .string(dir + "/tiny")],
        ]
        guard case .now(let r) = api.handle(HTTPRequest(method: "POST", path: "/register", json: body)) else {
            Issue.record("register did not answer at once")
            return
        }
        #expect(r.status == 200 && api.registry.deployment(named: "acme/tiny") != nil)
    }
}
