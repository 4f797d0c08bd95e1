import MoECore
import Testing

@testable import EvaluatorClient

@Suite struct ClientHTTPTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        try await withLiveServer { request in
            request.path == "/hello"
                ? .response(
                    status: 200, headers: ["X-Test": "yes", "Content-Type": "text/plain"], body: Array("hi".utf8))
                : .text(404, "no such route")
        } _: { server, client in
            let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/hello"))
            #expect(response.status == 200)
            #expect(response.bodyText == "hi")
            #expect(response.headers["x-test"] == "yes")
            #expect(response.isSuccess)
            let firstByte = try #require(response.firstByteTime)
            #expect(response.startTime <= firstByte && firstByte <= response.endTime)
            #expect(response.events.isEmpty)

            let missing = try await client.send(HTTPRequest(url: "\(server.baseURL)/nope"))
            #expect(missing.status == 404)
            #expect(missing.bodyText == "no such route")
        }
    }

    @Test func postSendsBodyAndHeaders() async throws {
        try await withLiveServer { request in
            .json(
                200,
                [
                    "method": .string(request.method), "body": .string(request.bodyText),
                    "type": .string(request.headers["Content-Type"] ?? ""),
                    "length": .string(request.headers["Content-Length"] ?? ""),
                    "custom": .string(request.headers["X-Custom"] ?? ""),
                    "expect": .string(request.headers["Expect"] ?? "none"),
                ])
        } _: { server, client in
            let payload: JSONValue = ["model": "m", "prompt": .string(String(repeating: "é", count: 3000))]
            let response = try await client.send(
                .post(url: "\(server.baseURL)/v1/completions", json: payload, headers: ["X-Custom": "42"]))
            let echo = try response.json()
            #expect(echo["method"] == "POST")
            #expect(try JSONValue.parse(echo["body"]?.stringValue ?? "") == payload)
            #expect(echo["type"] == "application/json")
            #expect(echo["length"]?.stringValue == String(payload.serializedBytes(compact: true).count))
            #expect(echo["custom"] == "42")
            #expect(echo["expect"] == "none")

            let empty = try await client.send(HTTPRequest(method: "POST", url: "\(server.baseURL)/clear"))
            #expect(try empty.json()["length"] == "0")
            let delete = try await client.send(HTTPRequest(method: "DELETE", url: "\(server.baseURL)/x"))
            #expect(try delete.json()["method"] == "DELETE")
        }
    }

    @Test func twoHundredConcurrentRequestsRunTogether() async throws {
        let gauge = ConcurrencyGauge()
        try await withLiveServer { request in
            gauge.measure { TestHTTPServer.sleep(.milliseconds(200)) }
            return .text(200, request.path)
        } _: { server, client in
            let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for i in 0..<200 {
                    group.addTask { (i, try await client.send(HTTPRequest(url: "\(server.baseURL)/\(i)")).bodyText) }
                }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            #expect(bodies.count == 200)
            #expect(bodies.allSatisfy { $0.value == "/\($0.key)" })
            // Counted at the server, not timed: one after another would never have two handlers at once.
            #expect(gauge.peak >= 20, "at most \(gauge.peak) requests were served at once")
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withLiveServer { _ in
            .text(200, "ok")
        } _: { server, client in
            for _ in 0..<10 {
                let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/"))
                #expect(response.status == 200)
            }
            #expect(server.acceptedConnections == 1)
            #expect(server.requestCount == 10)
        }
    }

    @Test func serverClosingIdleConnectionsNeitherFailsNorWakesTheLoop() async throws {
        // Each answer is complete and keep-alive, then the server closes the connection while the client holds it
        // idle: the client's loop keeps idle sockets in its epoll set and must drop a closed one (a socket left
        // readable would wake the loop at once, again and again), and the next request must open a new connection.
        try await withLiveServer { _ in
            .raw(Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".utf8))
        } _: { server, client in
            for _ in 0..<5 {
                let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/"))
                #expect(response.status == 200 && response.bodyText == "ok")
                try await Task.sleep(for: .milliseconds(20))
            }
            let before = client.loopTurns
            try await Task.sleep(for: .milliseconds(300))
            // Idle, the loop wakes for libcurl's timers at most (a spinning loop makes thousands of turns).
            #expect(client.loopTurns - before < 100, "\(client.loopTurns - before) turns while idle")
            #expect(server.acceptedConnections == 5)
        }
    }

    @Test func connectionCapQueuesTheRestInOrder() async throws {
        let gauge = ConcurrencyGauge()
        try await withLiveServer(client: HTTPClient.Configuration(maxConnections: 4)) { _ in
            gauge.measure {
                TestHTTPServer.sleep(.milliseconds(30))
                return .text(200, "ok")
            }
        } _: { server, client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 { group.addTask { try await client.send(HTTPRequest(url: server.baseURL)).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(gauge.peak <= 4)
            #expect(gauge.peak >= 2)
            #expect(server.acceptedConnections <= 4)
        }
    }

    @Test func requestTimeoutFailsWithTimeout() async throws {
        try await withLiveServer { _ in
            TestHTTPServer.sleep(.seconds(30))
            return .text(200, "late")
        } _: { server, client in
            // The server answers after 30 s: an error of kind `.timeout` proves the 200 ms limit ended the transfer
            // first (a missed limit gives the 200 "late"). No wall-clock bound: on two cores the awaiting task can
            // wait for a cooperative thread behind the suite's other tests long after the loop failed the transfer.
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: server.baseURL, timeout: .milliseconds(200)))
            }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func closedPortFailsWithConnectionFailedOnOneLine() async throws {
        let port = try TestHTTPServer.closedPort()
        let client = try HTTPClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(port)/x"
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.url == url)
        #expect(error.map { !$0.description.contains("\n") && $0.description.contains(url) } == true)
    }

    @Test func abruptCloseAndTruncatedBodyAreConnectionFailures() async throws {
        try await withLiveServer { request in
            request.path == "/drop"
                ? .dropConnection : .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort".utf8))
        } _: { server, client in
            for path in ["/drop", "/truncated"] {
                let error = await #expect(throws: HTTPClientError.self) {
                    try await client.send(HTTPRequest(url: server.baseURL + path))
                }
                #expect(error?.kind == .connectionFailed, "\(path)")
            }
        }
    }

    @Test func redirectLoopFailsWithTooManyRedirects() async throws {
        try await withLiveServer(client: HTTPClient.Configuration(maxRedirects: 2)) { request in
            request.path == "/loop"
                ? .response(status: 302, headers: ["Location": "/loop"], body: [])
                : .text(200, "unreachable")
        } _: { server, client in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: "\(server.baseURL)/loop"))
            }
            #expect(error?.kind == .tooManyRedirects)
        }
    }

    @Test func malformedURLFailsWithOther() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.send(HTTPRequest(url: "htp:/nowhere"))
        }
        #expect(error?.kind == .other)
    }

    @Test func streamTimestampsFollowServerDelays() async throws {
        let chunks = (0..<5).map { "data: {\"token\": \($0)}" } + ["data: [DONE]"]
        let seen = Locked<[(SSEEvent, ContinuousClock.Instant)]>([])
        try await withLiveServer { _ in
            .sse(chunks, delay: .milliseconds(100))
        } _: { server, client in
            let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/stream")) { event, time in
                seen.withLock { $0.append((event, time)) }
            }
            #expect(response.status == 200)
            #expect(response.events.map(\.event.data) == (0..<5).map { "{\"token\": \($0)}" } + ["[DONE]"])
            #expect(response.events.last?.event.isDone == true)
            let callbacks = seen.withLock { $0 }
            #expect(callbacks.map(\.0) == response.events.map(\.event))
            #expect(callbacks.map(\.1) == response.events.map(\.time))
            let times = response.events.map(\.time)
            // The server waits 100 ms before each event; allow for scheduling noise on a busy machine.
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(milliseconds(later - earlier) >= 50, "events only \(later - earlier) apart")
            }
            #expect(milliseconds(times[times.count - 1] - times[0]) >= 450)
            let firstByte = try #require(response.firstByteTime)
            let firstEvent = try #require(response.firstEventTime)
            #expect(firstByte <= firstEvent)
            #expect(milliseconds(firstEvent - response.startTime) >= 90)
            #expect(milliseconds(response.endTime - response.startTime) >= 550)
            #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("data: {\"token\": 0}\n\n"))
        }
    }

    @Test func eventStreamIsParsedWithoutACallbackToo() async throws {
        try await withLiveServer { _ in
            .sse(["data: a", "data: b"], delay: .zero)
        } _: { server, client in
            let response = try await client.send(HTTPRequest(url: server.baseURL))
            #expect(response.events.map(\.event.data) == ["a", "b"])
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        try await withLiveServer { _ in
            .sse(["data: first", "data: never"], delay: .seconds(10))
        } _: { server, client in
            let task = Task { try await client.send(HTTPRequest(url: server.baseURL)) }
            try await Task.sleep(for: .milliseconds(150))
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            // Left alone, the response would take 20 s.
            #expect(ContinuousClock.now - start < .seconds(18))
            let error = #expect(throws: HTTPClientError.self) { try result.get() }
            #expect(error?.kind == .cancelled)
            // The client still works afterwards.
            let quick = try await withLiveServer { _ in
                .text(200, "ok")
            } _: { other, _ in
                try await client.send(HTTPRequest(url: other.baseURL)).bodyText
            }
            #expect(quick == "ok")
        }
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        try await withLiveServer { _ in
            .text(200, "ok")
        } _: { server, client in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.send(HTTPRequest(url: server.baseURL))
            }
            let error = await #expect(throws: HTTPClientError.self) { try await task.value }
            #expect(error?.kind == .cancelled)
            #expect(server.requestCount == 0)
        }
    }

    @Test func shutdownFailsInFlightAndLaterRequests() async throws {
        try await withLiveServer { _ in
            TestHTTPServer.sleep(.seconds(10))
            return .text(200, "late")
        } _: { server, client in
            let pending = Task { try await client.send(HTTPRequest(url: server.baseURL)) }
            try await Task.sleep(for: .milliseconds(100))
            client.shutdown()
            let outcome = await pending.result
            let inFlight = #expect(throws: HTTPClientError.self) { try outcome.get() }
            #expect(inFlight?.kind == .cancelled)
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: server.baseURL))
            }
            #expect(error?.kind == .cancelled)
            client.shutdown()  // idempotent
        }
    }
}
