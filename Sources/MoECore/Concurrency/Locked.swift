#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The package's one lock: a `pthread_mutex_t` with a condition variable, for code that waits on a condition
/// (``DeploymentHost``'s thread, the HTTP layer's handler pool). State that is only read and written under the
/// lock goes in ``Locked`` instead, which is built on this.
///
/// Used instead of `Synchronization.Mutex` and Foundation's `NSLock`/`NSCondition` so that ThreadSanitizer sees
/// every wait (Mutex waits on a futex directly, which it cannot see, and would be reported as a race:
/// docs/fuzzing.md, "Sanitizers"). Thread-safe; not re-entrant: ``lock()`` must not be called again by the
/// thread that holds it.
package final class ConditionLock: @unchecked Sendable {
    // @unchecked: the two C structs are only used through pthread calls, which synchronize themselves.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        pthread_mutex_init(mutex, nil)
        #if canImport(Glibc)
            // Timed waits measure the monotonic clock, like `monotonicSeconds()`.
            var attributes = pthread_condattr_t()
            pthread_condattr_init(&attributes)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
            pthread_cond_init(condition, &attributes)
            pthread_condattr_destroy(&attributes)
        #else
            pthread_cond_init(condition, nil)
        #endif
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the lock held.
    package func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits for a signal. Call with the lock held; it is released meanwhile and held again on return.
    package func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal, at most `seconds`. Call with the lock held. Returns false when the time ran out.
    @discardableResult
    package func wait(seconds: Double) -> Bool {
        guard seconds > 0 else { return false }
        var deadline = timespec()
        #if canImport(Glibc)
            clock_gettime(CLOCK_MONOTONIC, &deadline)
        #else
            clock_gettime(CLOCK_REALTIME, &deadline)
        #endif
        let whole = seconds.rounded(.down)
        var nanoseconds = Int(deadline.tv_nsec) + Int((seconds - whole) * 1e9)
        deadline.tv_sec += Int(whole) + nanoseconds / 1_000_000_000
        nanoseconds %= 1_000_000_000
        deadline.tv_nsec = nanoseconds
        return pthread_cond_timedwait(condition, mutex, &deadline) == 0
    }

    /// Wakes one waiter. May be called with or without the lock held.
    package func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter. May be called with or without the lock held.
    package func broadcast() { pthread_cond_broadcast(condition) }
}

/// A value behind the package's one lock (``ConditionLock``).
///
/// `Sendable` only when the value is: a lock makes access exclusive, it does not make a class reference inside
/// the value safe to use from two threads once it is handed out. Thread-safe; `withLock` must not be re-entered
/// on the same lock.
package final class Locked<Value> {
    private var value: Value
    private let lock = ConditionLock()

    package init(_ value: Value) { self.value = value }

    /// Runs `body` on the value with the lock held.
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

// @unchecked: `value` is read and written only inside `withLock`, under `lock`.
extension Locked: @unchecked Sendable where Value: Sendable {}
