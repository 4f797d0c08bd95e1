import Foundation

/// Runs blocking socket work on a thread of its own, so live tests do not hold Swift concurrency's few
/// cooperative threads (on two cores, two) while they wait on sockets: other suites' timed tests share them.
func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in
        let t = Thread { c.resume(returning: body()) }
        t.stackSize = 1 << 20
        t.start()
    }
}
