import Foundation
import Testing

/// Every `--flag` README.md shows for this project's executables is listed by some `--help` of `fake-sllm` or
/// `moecap-eval` (a flag that drifted, such as `--node-gpus` parsing as `--node-gp-us`, fails here).
@Suite struct ReadmeFlagsEndToEndTests {
    /// Flags of other programs README shows (swift build/test, and commands of third-party tools).
    static let foreign: Set<String> = [
        "--build-tests", "--skip-build", "--disable-xctest", "--filter", "--skip", "--static-swift-stdlib",
        "--scratch-path", "--sanitize",
    ]
    static let foreignCommands = ["aiperf", "guidellm", "python", "python3", "pip", "vllm", "curl", "wrk"]

    /// README's flags, leaving out lines (and their `\` continuations) that run a third-party command.
    static func readmeFlags() throws -> Set<String> {
        let text = try String(contentsOf: Binaries.root.appendingPathComponent("README.md"), encoding: .utf8)
        var flags = Set<String>()
        var skipping = false
        let pattern = try NSRegularExpression(pattern: "--[a-z][a-z0-9-]+")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let first = line.split(separator: " ").first.map(String.init) ?? ""
            if foreignCommands.contains(first) { skipping = true }
            if !skipping {
                let range = NSRange(line.startIndex..., in: line)
                for m in pattern.matches(in: line, range: range) {
                    flags.insert(String(line[Range(m.range, in: line)!]))
                }
            }
            if !line.trimmingCharacters(in: .whitespaces).hasSuffix("\\") { skipping = false }
        }
        return flags.filter { flag in !foreign.contains(where: { flag.hasPrefix($0) }) }
    }

    @Test func everyReadmeFlagIsInSomeHelp() throws {
        var help = ""
        for args in [[], ["serve"], ["simulate"], ["fidelity"], ["sweep"]] {
            let r = try Binaries.run("fake-sllm", args + ["--help"])
            #expect(r.status == 0, "fake-sllm \(args) --help")
            help += r.stdout
        }
        for args in [[], ["run"], ["check"], ["score"], ["extract"], ["report"]] {
            let r = try Binaries.run("moecap-eval", args + ["--help"])
            #expect(r.status == 0, "moecap-eval \(args) --help")
            help += r.stdout
        }
        let flags = try Self.readmeFlags()
        #expect(flags.contains("--node-gpus") && flags.contains("--gpu"))
        for flag in flags.sorted() {
            let listed = help.range(of: flag + "\\b", options: .regularExpression) != nil
            #expect(listed, "README shows \(flag), which no --help of fake-sllm or moecap-eval lists")
        }
    }

    /// The old spellings stay accepted (hidden): `--gpu-type` (serve, simulate), `--gpu-types` and `--models` (sweep).
    @Test func oldSpellingsStillParse() throws {
        let simulate = try Binaries.run(
            "fake-sllm",
            [
                "simulate", "--model", "Qwen/Qwen3-30B-A3B", "--gpu-type", "H200", "--requests", "2", "--output-tokens",
                "4",
            ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        #expect(simulate.stdout.contains("H200"))
        let serve = try Binaries.run("fake-sllm", ["serve", "--gpu-type", "TPUv9"])
        #expect(serve.status != 0 && serve.stderr.contains("TPUv9"))
        let help = try Binaries.run("fake-sllm", ["serve", "--help"])
        #expect(!help.stdout.contains("--gpu-type") && help.stdout.contains("--node-gpus"))
    }
}
