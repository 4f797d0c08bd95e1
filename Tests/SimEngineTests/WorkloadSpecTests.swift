import Testing

@testable import SimEngine

/// The one workload grammar (`sweep --workload NAME,key=value,…` and `simulate`'s workload flags).
@Suite struct WorkloadSpecTests {
    @Test func textGivesTheKeysAndKeepsTheDefaultsOfTheRest() throws {
        let w = try WorkloadSpec(parsing: "chat,requests=10,prompt=normal:800:200,output=64,rate=5,concurrency=4")
        #expect(w.name == "chat" && w.trace == nil)
        let s = w.synthetic
        #expect(s.count == 10 && s.promptTokens == .normal(mean: 800, std: 200) && s.outputTokens == .fixed(64))
        #expect(s.maxConcurrency == 4 && s.arrival == .poisson(rate: 5))
        #expect(s.maxTokens == nil && !s.ignoreEOS && s.sharedPrefixTokens == 0 && s.prefixGroups == 1)
        #expect(try WorkloadSpec(parsing: "gsm8k") == WorkloadSpec(parsing: "gsm8k", defaults: .gsm8k))
        #expect(try WorkloadSpec(parsing: "x").synthetic == WorkloadSpec.gsm8k.synthetic)
        let all = try WorkloadSpec(
            parsing:
                "p,max_tokens=7,ignore_eos=true,shared_prefix_tokens=64,prefix_groups=3,distinct_prompts=5,output=uniform:2:9"
        )
        #expect(all.synthetic.maxTokens == 7 && all.synthetic.ignoreEOS && all.synthetic.sharedPrefixTokens == 64)
        #expect(all.synthetic.prefixGroups == 3 && all.synthetic.distinctPrompts == 5)
        #expect(all.synthetic.outputTokens == .uniform(2, 9))
    }

    @Test func rateAndArrivalGiveThePatternInEitherOrder() throws {
        #expect(try WorkloadSpec(parsing: "c,rate=2,arrival=constant").synthetic.arrival == .constant(rate: 2))
        #expect(try WorkloadSpec(parsing: "c,arrival=constant,rate=2").synthetic.arrival == .constant(rate: 2))
        #expect(try WorkloadSpec(parsing: "c,arrival=constant").synthetic.arrival == .allAtOnce)
        #expect(try WorkloadSpec(parsing: "c,rate=0,arrival=poisson").synthetic.arrival == .allAtOnce)
        #expect(try WorkloadSpec(parsing: "c,rate=3,arrival=all-at-once").synthetic.arrival == .allAtOnce)
        #expect(try WorkloadSpec(parsing: "c,rate=0.5").synthetic.arrival == .poisson(rate: 0.5))
    }

    @Test func badTextIsRefusedWithOneLineNamingThePart() {
        let cases: [(String, String)] = [
            ("requests=3", "start with its name"),
            ("x,requests=0", "workload requests must be an integer ≥ 1, got '0'"),
            ("x,requests=many", "workload requests must be an integer ≥ 1"),
            ("x,bogus=1", "unknown key 'bogus' (requests, prompt, output, rate, arrival, concurrency, max_tokens"),
            ("x,rate=-1", "workload rate must be a number ≥ 0, got '-1'"),
            ("x,rate=inf", "workload rate must be a number ≥ 0"),
            ("x,prompt=zzz", "workload prompt: invalid length distribution 'zzz'"),
            ("x,requests", "'requests' is not key=value"),
            ("x,arrival=burst", "workload arrival must be one of poisson, constant, all-at-once, got 'burst'"),
            ("x,concurrency=0", "workload concurrency must be an integer ≥ 1"),
            ("x,ignore_eos=yes", "workload ignore_eos must be true or false"),
            ("x,shared_prefix_tokens=-1", "workload shared_prefix_tokens must be an integer ≥ 0"),
            ("x,prefix_groups=0", "workload prefix_groups must be an integer ≥ 1"),
        ]
        for (text, message) in cases {
            do {
                _ = try WorkloadSpec(parsing: text)
                Issue.record("'\(text)' was accepted")
            } catch {
                #expect(error.description.contains(message), "\(text): \(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func flagSpellingNamesSimulatesFlags() {
        var spec = WorkloadSpec.gsm8k
        #expect(throws: SimulationInputError("--requests must be an integer ≥ 1, got '0'")) {
            try spec.set(.requests, to: "0", spelling: .flags)
        }
        #expect(throws: SimulationInputError.self) { try spec.set(.prompt, to: "0", spelling: .flags) }
        do { try spec.set(.output, to: "normal:1", spelling: .flags) } catch {
            #expect(error.description.hasPrefix("--output-tokens: invalid length distribution 'normal:1'"))
        }
        let flags = WorkloadSpec.Key.allCases.map(\.flag)
        #expect(
            flags == [
                "--requests", "--prompt-tokens", "--output-tokens", "--rate", "--workload", "--concurrency",
                "--max-tokens", "--ignore-eos", "--shared-prefix-tokens", "--prefix-groups", "--distinct-prompts",
            ])
    }

    @Test func aTraceKeepsItsConcurrencyCapAndIgnoresSyntheticSettings() throws {
        let text = #"{"arrival_s": 0.5, "prompt_tokens": 10, "output_tokens": 3}"# + "\n"
        var spec = WorkloadSpec(name: "t", trace: text)
        try spec.set(.concurrency, to: "2")
        try spec.set(.requests, to: "50")
        let w = try spec.generate(blockSize: 16, seed: 1)
        #expect(w.requests.count == 1 && w.requests[0].promptTokens == 10 && w.maxConcurrency == 2)
    }

    @Test func theSameSpecGivesTheSameRequestsAsTheGeneratorItDescribes() throws {
        let spec = try WorkloadSpec(parsing: "g,requests=40,prompt=uniform:10:90,rate=4,arrival=constant,concurrency=3")
        var direct = SyntheticWorkload(
            count: 40, arrival: .constant(rate: 4), promptTokens: .uniform(10, 90),
            outputTokens: .normal(mean: 250, std: 80), maxConcurrency: 3, blockSize: 32, seed: 9)
        direct.seed = 9
        #expect(try spec.generate(blockSize: 32, seed: 9) == direct.generate())
    }
}
