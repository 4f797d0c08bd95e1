import FakeSLLMHTTP
import Foundation
import MoECore
import SimEngine

@testable import FakeSLLM

/// A live server on port 0 with Qwen3-30B-A3B registered, for the socket tests.
enum LiveServer {
    static func start(
        speedup: Double?, maxModelLen: Int = 8192, register: Bool = true,
        configure: (inout HTTPServerOptions) -> Void = { _ in }
    ) throws -> (HTTPServer, SLLMAPI) {
        var s = SimulatorSettings()
        s.speedup = speedup
        s.serving = .direct  // raw capacity: no router admitting one request a second
        let api = SLLMAPI(registry: DeploymentRegistry(defaults: s))
        let reg: Reply =
            !register
            ? .now(.json(["status": "ok"]))
            : api.handle(
                HTTPRequest(
                    method: "POST", path: "/register",
                    json: [
                        "model": "Qwen/Qwen3-30B-A3B", "backend": "vllm_moecap",
                        "backend_config": ["max_model_len": .int(maxModelLen)],
                    ]))
        guard case .now(let r) = reg, r.status == 200 else { throw POSIXError(.EINVAL) }
        var o = HTTPServerOptions()
        o.port = 0
        configure(&o)
        let server = HTTPServer(options: o, handler: { api.handle($0) })
        try server.start()
        return (server, api)
    }

    /// A chat body for Qwen3-30B-A3B.
    static func chat(maxTokens: Int, stream: Bool, ignoreEOS: Bool = true) -> String {
        #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":\#(maxTokens),"ignore_eos":\#(ignoreEOS),"stream":\#(stream)}"#
    }
}
