import EvaluatorClient
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Request rate and CPU cost of ``HTTPClient`` against the in-process test server, printed for the record.
/// Off by default (it takes a few seconds of both cores); run with `MOECAP_BENCH=1 swift test --filter Benchmark`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MOECAP_BENCH"] != nil))
struct ClientThroughputBenchmarkTests {
    @Test(arguments: [1, 64])
    func smallRequests(concurrency: Int) async throws {
        let total = concurrency == 1 ? 3_000 : 20_000
        let threadsBefore = Self.threadIDs()
        let client = try HTTPClient()
        let clientThreads = Self.threadIDs().subtracting(threadsBefore)
        let server = try TestHTTPServer { _ in .text(200, "ok") }
        defer {
            client.shutdown()
            server.stop()
        }
        let url = server.baseURL + "/ping"
        _ = try await client.send(HTTPRequest(url: url))  // connect once
        let loopCPUBefore = Self.cpuSeconds(threads: clientThreads)
        let processCPUBefore = Self.processCPUSeconds()
        let start = ContinuousClock.now
        let succeeded = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var ok = 0
                    for _ in stride(from: worker, to: total, by: concurrency) {
                        if try await client.send(HTTPRequest(url: url)).status == 200 { ok += 1 }
                    }
                    return ok
                }
            }
            return try await group.reduce(0, +)
        }
        let seconds = milliseconds(ContinuousClock.now - start) / 1000
        let loopCPU = Self.cpuSeconds(threads: clientThreads) - loopCPUBefore
        let processCPU = Self.processCPUSeconds() - processCPUBefore
        #expect(succeeded == total)
        func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        let perRequest = 1e6 / Double(total)
        let latency = seconds * perRequest * Double(concurrency)
        print(
            "client benchmark: concurrency \(concurrency), \(total) GETs in \(format(seconds, 2)) s = "
                + "\(Int(Double(total) / seconds)) req/s, mean latency \(format(latency, 0)) us; "
                + "CPU per request: client thread \(format(loopCPU * perRequest)) us, "
                + "whole process (client + server + tasks) \(format(processCPU * perRequest)) us; "
                + "connections opened: \(server.acceptedConnections)")
    }

    private static func threadIDs() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [])
    }

    /// User + system CPU seconds of the given threads, from `/proc/self/task/<tid>/stat`.
    private static func cpuSeconds(threads: Set<String>) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return threads.reduce(0) { sum, tid in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return sum }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return sum + ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
        }
    }

    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
