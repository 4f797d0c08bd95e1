import Glibc

/// A value behind a `pthread_mutex_t`, for the HTTP layer's shared state.
///
/// Used instead of `Synchronization.Mutex` here because that one waits on a futex directly, which
/// ThreadSanitizer cannot see: every access it guards would be reported as a race, and `make test-tsan` could
/// not tell a real race in this layer from those (docs/fuzzing.md, "Sanitizers"). Thread-safe; `withLock` must
/// not be re-entered on the same lock.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
