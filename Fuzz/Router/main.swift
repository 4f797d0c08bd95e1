import FakeSLLM
import Glibc
import MoECore
import SimEngine

/// One API with Qwen3-30B-A3B deployed on a no-wait engine, shared by every input.
private let api: SLLMAPI = {
    var s = SimulatorSettings()
    s.speedup = nil
    let api = SLLMAPI(registry: DeploymentRegistry(defaults: s))
    _ = api.handle(
        HTTPRequest(
            method: "POST", path: "/register",
            json: ["model": "Qwen/Qwen3-30B-A3B", "backend": "vllm_moecap", "backend_config": ["max_model_len": 4096]]))
    return api
}()

private let methods = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]

/// libFuzzer entry: `SLLMAPI.handle` on an arbitrary request. Input: byte 0 picks the method, then the path and
/// query up to the first newline, then the body. Answers given later are awaited for up to a second (the
/// engine does not pace), then cancelled; streams are read to their end the same way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let newline = bytes.firstIndex(of: 10) ?? bytes.endIndex
    let target = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = newline < bytes.endIndex ? Array(bytes[(newline + 1)...]) : []
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let query: [(String, String)] =
        parts.count > 1
        ? parts[1].split(separator: "&").map {
            let kv = $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
        } : []
    let request = HTTPRequest(
        method: methods[Int(data[0]) % methods.count], path: "/" + String(parts.first ?? ""), query: query,
        body: body)
    switch api.handle(request) {
    case .now(let r):
        precondition((100...599).contains(r.status), "status \(r.status)")
    case .later(let p):
        for _ in 0..<1_000 where p.response == nil { usleep(1_000) }
        if p.response == nil { p.cancel() }
    case .stream(let s):
        var buf = [UInt8](repeating: 0, count: 4096)
        loop: for _ in 0..<100_000 {
            let r = buf.withUnsafeMutableBytes { s.read(into: $0) }
            switch r {
            case .end, .aborted: break loop
            case .wouldBlock: usleep(1_000)
            case .bytes: continue
            }
        }
        s.cancel()
    }
    // Keep one registry from growing without bound across inputs.
    if api.registry.all.count > 8 {
        for d in api.registry.all where d.name != "Qwen/Qwen3-30B-A3B" { api.registry.delete(d.name) }
    }
    return 0
}
