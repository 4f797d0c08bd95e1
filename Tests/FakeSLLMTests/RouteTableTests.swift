import MoECore
import Testing

@testable import FakeSLLM

/// The route table as the routes' one home: the API dispatches on it, the HTTP layer asks it about access.
@Suite struct RouteTableTests {
    @Test func accessComesFromTheTable() {
        #expect(SLLMAPI.access(forPath: "/health") == .probe)
        #expect(SLLMAPI.access(forPath: "/metrics") == .open)
        for path in ["/v1/models", "/register", "/v1/fine_tuning/jobs/x", "/ping", "/health/", "/metricsx", "/"] {
            #expect(SLLMAPI.access(forPath: path) == .keyed, "\(path)")
        }
    }

    @Test func eachMethodAndPathHasOneServerlessLLMRow() {
        let rows = SLLMAPI.routes.filter { $0.api == .sllm }.map { "\($0.method) \($0.pattern)" }
        #expect(Set(rows).count == rows.count)
        let vllm = SLLMAPI.routes.filter { $0.api != .sllm }.map { "\($0.method) \($0.pattern)" }
        #expect(Set(vllm).count == vllm.count)
    }

    /// Every ServerlessLLM row is reached by its method and path (no row is shadowed: the answer is never the
    /// table's own 404 or 405).
    @Test func everyServerlessLLMRowIsReached() {
        let api = SLLMAPI(registry: DeploymentRegistry(defaults: SimulatorSettings()))
        for route in SLLMAPI.routes where route.api == .sllm {
            let path = route.pattern.replacingOccurrences(of: "{}", with: "x")
            guard case .now(let r) = api.handle(HTTPRequest(method: route.method, path: path, body: [])) else {
                continue  // answered later or streamed: reached
            }
            let text = String(decoding: r.body, as: UTF8.self)
            #expect(!(r.status == 404 && text == #"{"detail":"Not Found"}"#), "\(route.method) \(path)")
            #expect(r.status != 405, "\(route.method) \(path)")
        }
    }
}
