import Foundation
import MoECore
import SimEngine

@testable import FakeSLLM
@testable import FakeSLLMHTTP

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

    /// Waits (bounded) until `server` has a request in flight, then gives every open connection a 4 KiB kernel
    /// send buffer, so that what a test wants held (a queued answer, a stream buffer) fills up in the server.
    static func shrinkSendBuffersOnceInFlight(_ server: HTTPServer) {
        for _ in 0..<500 where server.inFlight == 0 { usleep(10_000) }
        for ctx in server.live.withLock({ Array($0.values) }) {
            guard let fd = ctx.socket else { continue }
            var size: Int32 = 4096
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
