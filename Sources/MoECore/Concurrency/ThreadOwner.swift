#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one thread that may touch some state ("host thread only", "loop thread only"), checked in debug builds.
///
/// The owning thread calls ``claim()`` before it first touches the state, and every access path calls
/// ``assertOwner(_:)``; a call from any other thread stops a debug build with the name of what was touched.
/// In release builds both are empty (the rule is then the doc comment's alone). Thread-safe.
package struct ThreadOwner: Sendable {
    #if DEBUG
        private let owner = Locked<UInt?>(nil)
    #endif

    package init() {}

    /// Makes the calling thread the owner. A second claim from another thread is a bug.
    package func claim() {
        #if DEBUG
            let me = Self.currentThread
            owner.withLock { owner in
                if let o = owner, o != me { preconditionFailure("ThreadOwner: claimed again by another thread") }
                owner = me
            }
        #endif
    }

    /// Stops a debug build when the caller is not the owning thread (or no thread has claimed yet).
    package func assertOwner(_ what: @autoclosure () -> String) {
        #if DEBUG
            let me = Self.currentThread
            let o = owner.withLock { $0 }
            if o != me { preconditionFailure("\(what()) touched off its owner thread") }
        #endif
    }

    #if DEBUG
        private static var currentThread: UInt {
            #if canImport(Glibc)
                UInt(pthread_self())
            #else
                UInt(bitPattern: pthread_self())
            #endif
        }
    #endif
}
