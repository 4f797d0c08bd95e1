import Foundation
import MoECore

/// Worker threads for requests whose handling is heavy (large bodies: parsing a 30 MB prompt takes seconds), so
/// libmicrohttpd's polling threads keep serving other connections meanwhile (docs/http.md, "Lifecycle").
///
/// Jobs run in submission order on `count` dedicated threads. Thread-safe; ``stop()`` ends the threads after the
/// queued jobs.
final class HandlerPool: @unchecked Sendable {
    private let cond = ConditionLock()
    // Guarded by `cond`.
    private var jobs = FIFO<@Sendable () -> Void>()
    private var stopped = false
    private var started = false
    private let count: Int

    /// Threads start with the first job.
    init(count: Int) { self.count = max(1, count) }

    func submit(_ job: @escaping @Sendable () -> Void) {
        cond.lock()
        if !started {
            started = true
            for i in 0..<count {
                let t = Thread { [self] in loop() }
                t.name = "fake-sllm.handler.\(i)"
                t.start()
            }
        }
        jobs.append(job)
        cond.signal()
        cond.unlock()
    }

    func stop() {
        cond.lock()
        stopped = true
        cond.broadcast()
        cond.unlock()
    }

    private func loop() {
        while true {
            cond.lock()
            while jobs.isEmpty && !stopped { cond.wait() }
            guard let job = jobs.popFirst() else {
                cond.unlock()
                return
            }
            cond.unlock()
            job()
        }
    }
}
