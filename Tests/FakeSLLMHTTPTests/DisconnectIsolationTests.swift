import Foundation
import Glibc
import MoECore
import Testing

@testable import FakeSLLM
@testable import FakeSLLMHTTP

/// A client that hangs up cancels its own request and nobody else's (issue 13, defect 1).
@Suite struct DisconnectIsolationTests {
    /// Six clients wait (three streaming, three not) on 300-token completions while four others connect, send a
    /// request and hang up: all six still get their whole answer.
    @Test func waitingClientsFinishWhileOthersHangUp() async throws {
        let (server, _) = try LiveServer.start(speedup: 1)
        defer { server.stop() }
        let port = server.port
        let outcomes = await withTaskGroup(of: (Bool, Bool).self) { group in
            for i in 0..<6 {
                group.addTask {
                    await blocking {
                        let streaming = i % 2 == 0
                        guard let c = try? RawHTTPClient(port: port) else { return (streaming, false) }
                        c.send("POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 300, stream: streaming))
                        let r = c.readAll()
                        if streaming { return (true, r.status == 200 && r.body.contains("data: [DONE]")) }
                        let tokens = (try? JSONValue.parse(r.body))?["usage"]?["completion_tokens"]?.intValue
                        return (false, r.status == 200 && tokens == 300)
                    }
                }
            }
            group.addTask {
                await blocking {
                    // Let the six be suspended in the engine, then hang up four times.
                    usleep(300_000)
                    for j in 0..<4 {
                        guard let c = try? RawHTTPClient(port: port) else { continue }
                        c.send(
                            "POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 300, stream: j % 2 == 0))
                        usleep(150_000)
                        shutdown(c.fd, Int32(SHUT_RDWR))
                    }
                    return (true, true)
                }
            }
            return await group.reduce(into: [(Bool, Bool)]()) { $0.append($1) }
        }
        let finished = outcomes.filter(\.1).count
        #expect(finished == 7, "only \(finished - 1) of the 6 waiting clients got their answer")
    }

    @Test func onlyHangUpEventsCountAsDisconnects() {
        #expect(!DisconnectWatcher.hungUp(0))
        #expect(!DisconnectWatcher.hungUp(Int16(POLLOUT)))
        #expect(!DisconnectWatcher.hungUp(Int16(POLLIN)))
        #expect(DisconnectWatcher.hungUp(0x2000))
        #expect(DisconnectWatcher.hungUp(Int16(POLLHUP)))
        #expect(DisconnectWatcher.hungUp(Int16(POLLERR)))
    }
}
