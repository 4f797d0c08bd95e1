import Foundation
import Glibc
import MoECore
import Testing

/// Time at the server's edge (docs/serving.md "Reproducible arrivals" and "Idle time and control calls"): holds
/// that end when nobody can arrive keep records identical from run to run, and control calls do not eat an idle
/// instance's keep_alive at a speed-up.
@Suite struct ArrivalHoldEndToEndTests {
    let seedConfig = Binaries.fixture("deploy/moecap_config.json")
    let gsm8k = Binaries.fixture("datasets/gsm8k_sample.jsonl")

    /// The same evaluator command against fresh servers with default holds and no pacing, as a closed loop of 8
    /// and with all 50 requests at once: identical records and identical simulated arrivals. moecap-eval declares
    /// its closed loop (docs/serving.md "Reproducible arrivals", rule 5), so no hold depends on how fast the
    /// evaluator answers, however loaded the test machine.
    @Test(.timeLimit(.minutes(4)), arguments: ["8", "50"])
    func freshServersGiveIdenticalRecords(concurrency: String) async throws {
        var records: [[JSONValue]] = []
        var arrivals: [[Double]] = []
        for _ in 0..<2 {
            let server = try Binaries.Server(["--no-wait", "--serving", "direct", "--deploy", seedConfig])
            defer { server.stop() }
            let (r, a) = try await evaluate(server, concurrency: concurrency)
            records.append(r)
            arrivals.append(a)
        }
        #expect(records[0].count > 50 && arrivals[0].count == 50)
        #expect(arrivals[0] == arrivals[1], "the two runs' simulated arrivals differ")
        #expect(records[0].count == records[1].count)
        let same = records[0] == records[1]
        #expect(same, "the two runs' records differ")
    }

    /// Warm reruns on one server: with the prefix cache off (a warm cache changes the prefills, as on a real
    /// server), the second and third runs batch the same requests into the same steps. What still differs is the
    /// instance's own state: its forward-pass counter and its expert-routing draws.
    @Test(.timeLimit(.minutes(4))) func warmRerunsBatchAlike() async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let deploy = try Binaries.fixture(
            "deploy/moecap_config.json",
            replacing: [("\"enable_prefix_caching\": true", "\"enable_prefix_caching\": false")], in: dir)
        let server = try Binaries.Server(["--no-wait", "--serving", "direct", "--deploy", deploy])
        defer { server.stop() }
        var batches: [[[JSONValue?]]] = []
        for _ in 0..<3 {
            let (records, _) = try await evaluate(server, concurrency: "8")
            batches.append(records.map { r in ["batch_size", "seq_lens_sum", "forward_mode"].map { r[$0] } })
        }
        #expect(batches[1].count > 50)
        #expect(batches[1] == batches[2], "two warm reruns batched differently")
    }

    /// Runs the evaluator over the 50-item sample; returns its batch records and its requests' simulated arrivals.
    private func evaluate(_ server: Binaries.Server, concurrency: String) async throws -> ([JSONValue], [Double]) {
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await Binaries.run(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url",
                server.url, "--output-dir", out, "--max-tokens", "96", "--concurrency", concurrency, "--quiet",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try #require(try Binaries.json(out + "/batch_data.json")["records"]?.arrayValue)
        let outputs = try #require(try Binaries.json(out + "/inference_outputs.json").arrayValue)
        return (records, outputs.compactMap { $0["sim_arrival_s"]?.doubleValue })
    }

    /// At `--speedup 20` a keep_alive of 300 simulated seconds is 15 s of wall time (at `--speedup 50` its 6 s were
    /// used up by the gaps between curls when the end-to-end suite's other servers and evaluators load the machine).
    /// A control call that takes 20 s on the server (here the expert dump's request, whose body comes 20 s after its
    /// headers) used to pass as 400 s of idle time and retire the instance with its batch records before the client
    /// asked for them; now it costs no simulated time. The calls around it are the evaluator's `stat`-mode sequence.
    @Test(.timeLimit(.minutes(2))) func slowControlCallsKeepTheInstanceAndItsRecords() async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let deploy = try Binaries.fixture(
            "deploy/moecap_config.json", replacing: [("\"keep_alive\": 60", "\"keep_alive\": 300")], in: dir)
        let server = try Binaries.Server(["--speedup", "20", "--deploy", deploy])
        defer { server.stop() }
        let model = "Qwen/Qwen3-30B-A3B"
        func post(_ path: String, _ body: String) async throws -> String {
            let r = try await Binaries.run(
                "/usr/bin/curl",
                ["-s", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body, server.url + path])
            #expect(r.status == 0, "\(path): curl exited \(r.status)")
            return r.stdout
        }
        let chat = #"{"model":"\#(model)","messages":[{"role":"user","content":"Hi"}],"max_tokens":8}"#
        _ = try await post("/v1/chat/completions", chat)  // warm-up: cold-starts the instance
        #expect(try await post("/start_batch_recording", #"{"model":"\#(model)"}"#).contains("instance_id"))
        _ = try await post("/start_expert_distribution", #"{"model":"\#(model)","recording_mode":"stat"}"#)
        for _ in 0..<3 { _ = try await post("/v1/chat/completions", chat) }
        _ = try await post("/stop_batch_recording", #"{"model":"\#(model)"}"#)
        _ = try await post("/stop_expert_distribution", #"{"model":"\#(model)"}"#)
        let started = Date()
        let expert = try await SlowClient.post(
            server.url, "/dump_expert_distribution", body: #"{"model":"\#(model)"}"#, pauseAfterHeaders: 20)
        #expect(Date().timeIntervalSince(started) > 19.9, "the slow call was not slow")
        #expect(expert.contains("worker_data") && expert.contains("success"), "\(expert.prefix(300))")
        let dump = try JSONValue.parse(Array(try await post("/dump_batch_recording", #"{"model":"\#(model)"}"#).utf8))
        let records = dump["records"]?.arrayValue ?? []
        #expect(
            records.count >= 4,
            "the instance retired during the control call: \(dump.serialized(compact: true).prefix(300))")
    }
}

/// A client that sends a request's headers, waits, then sends its body: a control call that takes a given wall
/// time on the server's side.
enum SlowClient {
    static func post(_ url: String, _ path: String, body: String, pauseAfterHeaders: Double) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { try postBlocking(url, path, body: body, pauseAfterHeaders: pauseAfterHeaders) })
            }
        }
    }

    private static func postBlocking(_ url: String, _ path: String, body: String, pauseAfterHeaders: Double) throws
        -> String
    {
        guard let port = url.split(separator: ":").last.flatMap({ UInt16($0) }) else { throw POSIXError(.EINVAL) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        func sendAll(_ text: String) {
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
        }
        sendAll(
            "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n")
        usleep(UInt32(pauseAfterHeaders * 1e6))
        sendAll(body)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
