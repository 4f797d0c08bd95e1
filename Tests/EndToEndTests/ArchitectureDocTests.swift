import Foundation
import Testing

/// docs/architecture.md's target graph is Package.swift's: every library and executable target with the same
/// dependencies (targets and products), no more, no fewer.
@Suite struct ArchitectureDocTests {
    /// `target -> dependencies` (products included by name).
    typealias Graph = [String: Set<String>]

    @Test func theDocumentedTargetGraphIsThePackages() throws {
        let package = try String(contentsOf: Binaries.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let doc = try String(
            contentsOf: Binaries.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let declared = Self.packageGraph(package)
        let documented = try #require(Self.documentedGraph(doc))
        #expect(declared.count >= 8, "parsed \(declared.keys.sorted()) from Package.swift")
        #expect(documented == declared)
        for name in Set(declared.keys).union(documented.keys) where declared[name] != documented[name] {
            Issue.record(
                "\(name): Package.swift \(declared[name]?.sorted() ?? []), doc \(documented[name]?.sorted() ?? [])")
        }
    }

    @Test func theTableNamesEveryTarget() throws {
        let package = try String(contentsOf: Binaries.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let doc = try String(
            contentsOf: Binaries.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        for name in Self.packageGraph(package).keys {
            #expect(doc.contains("| `\(name)` |"), "docs/architecture.md's target table has no row for \(name)")
        }
    }

    /// The library targets' API has one access level: `public` everywhere or, once `scripts/public-to-package.sh`
    /// has run, `package` everywhere (nothing outside the package imports them). Counted by the script itself, so
    /// the test and the rewrite agree on what a keyword in code is.
    @Test func theLibrariesUseOneAccessLevel() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Binaries.root.appendingPathComponent("scripts/public-to-package.sh").path, "--count"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("(libraries)") }, "\(text)")
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        try #require(numbers.count == 2, "\(line)")
        #expect(numbers[0] + numbers[1] > 500, "\(line)")
        #expect(numbers[0] == 0 || numbers[1] == 0, "mixed access levels in the libraries:\n\(text)")
    }

    /// `.target(name: "X", dependencies: [...])` and `.executableTarget(...)` calls of the manifest.
    static func packageGraph(_ text: String) -> Graph {
        var graph: Graph = [:]
        for opener in [".target(", ".executableTarget("] {
            var rest = text[...]
            while let start = rest.range(of: opener) {
                let call = balanced(rest[start.upperBound...])
                rest = rest[start.upperBound...]
                guard let name = quoted(call).first else { continue }
                var deps = Set<String>()
                if let d = call.range(of: "dependencies:") {
                    let list = call[d.upperBound...]
                    // `.product(name: "P", package: "p")` counts as P; every other string is a target.
                    var products = list
                    while let p = products.range(of: ".product(") {
                        let inner = balanced(products[p.upperBound...])
                        if let n = quoted(inner).first { deps.insert(n) }
                        products = products[p.upperBound...]
                    }
                    var plain = String(list)
                    while let p = plain.range(of: ".product(") {
                        let inner = balanced(plain[p.upperBound...])
                        plain.removeSubrange(p.lowerBound..<plain.index(p.upperBound, offsetBy: inner.count))
                    }
                    deps.formUnion(quoted(Substring(plain)))
                }
                graph[name] = deps
            }
        }
        return graph
    }

    /// The lines `X -> a, b (+ P, Q)` of the first code block under "## Target graph".
    static func documentedGraph(_ doc: String) -> Graph? {
        guard let section = doc.range(of: "## Target graph"),
            let open = doc[section.upperBound...].range(of: "```\n"),
            let close = doc[open.upperBound...].range(of: "```")
        else { return nil }
        var graph: Graph = [:]
        for line in doc[open.upperBound..<close.lowerBound].split(separator: "\n") {
            let sides = line.components(separatedBy: "->")
            guard sides.count == 2 else { continue }
            let name = sides[0].trimmingCharacters(in: .whitespaces)
            let names = sides[1].replacingOccurrences(of: "(+", with: ",").replacingOccurrences(of: ")", with: "")
                .replacingOccurrences(of: "(none", with: "")
            graph[name] = Set(
                names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return graph
    }

    /// The text up to the parenthesis that closes the one just opened.
    private static func balanced(_ text: Substring) -> Substring {
        var depth = 1
        for i in text.indices {
            if text[i] == "(" { depth += 1 }
            if text[i] == ")" {
                depth -= 1
                if depth == 0 { return text[..<i] }
            }
        }
        return text
    }

    private static func quoted(_ text: Substring) -> [String] {
        text.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
    }
}
