import Foundation
import MoECore
import Testing

@testable import FakeSLLM

/// The one table of `fake_sllm` settings (``SimulatorSetting``): keys, errors, and the README's list.
@Suite struct SimulatorSettingTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    @Test func keysAreUniqueAndEachIsApplied() throws {
        let keys = SimulatorSetting.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        let s = try SimulatorSettings().applying([
            "gpu_type": "H200", "speedup": "no-wait", "seed": 7, "routing": "uniform", "output_len_mean": 10,
            "output_len_sigma": 0, "cold_start_s": 3, "storage_bandwidth_gbs": 2, "engine_startup_s": 1,
            "host_memory_bandwidth_gbs": 40, "compile_cache": false, "serving": "direct", "api": "openai",
            "quirks": ["reject_stream": true], "model_config": "c.json",
        ])
        #expect(s.gpuType == "H200" && s.speedup == nil && s.seed == 7 && s.routing == .uniform)
        #expect(s.outputLengthMean == 10 && s.outputLengthSigma == 0)
        #expect(s.coldStart.overrideSeconds == 3 && s.coldStart.storageBandwidth == 2e9)
        #expect(s.coldStart.engineStartupOverride == 1 && s.coldStart.hostMemoryBandwidth == 40e9)
        #expect(!s.coldStart.compileCacheWarm)
        #expect(s.serving == .direct && s.servingIsExplicit && s.api == .openai)
        #expect(s.quirks.rejectStream && s.modelConfig == "c.json")
    }

    @Test func unknownKeyNamesEveryKnownKey() {
        #expect {
            _ = try SimulatorSettings().applying(["gpu": "H100"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("unknown fake_sllm setting 'gpu'")
                && SimulatorSetting.all.allSatisfy { text.contains($0.key) }
        }
    }

    @Test func badValuesNameTheirKey() {
        for (key, bad) in [
            ("gpu_type", JSONValue.int(1)), ("speedup", -1), ("seed", -1), ("output_len_mean", 0),
            ("storage_bandwidth_gbs", 0), ("host_memory_bandwidth_gbs", 0), ("compile_cache", 1), ("serving", "x"),
            ("api", "x"), ("quirks", 1), ("model_config", 1),
        ] {
            #expect(throws: SettingsError.self, "\(key)") {
                _ = try SimulatorSettings().applying(.object(JSONObject([(key, bad)])))
            }
        }
    }

    /// README.md's list of `fake_sllm` members and its serve flag table name every setting.
    @Test func readmeNamesEverySettingAndFlag() {
        #expect(!Self.readme.isEmpty)
        for setting in SimulatorSetting.all {
            #expect(Self.readme.contains("`\(setting.key)`"), "README lacks fake_sllm.\(setting.key)")
            if let flag = setting.flag { #expect(Self.readme.contains("`\(flag)"), "README lacks \(flag)") }
        }
    }
}
