import MoECore

/// The GPUs of the simulated node, shared by every deployment's instances (`--node-gpus`): an instance that
/// does not fit waits until another one gives its GPUs back, as Ray makes it wait. Thread-safe.
package final class GPUPool: Sendable {
    /// GPUs on the node.
    package let total: Int
    private let used = Locked(0)
    private let waiters = Locked<[@Sendable () -> Void]>([])
    /// Models started on this node before: their checkpoints sit in ServerlessLLM's host-memory pool and their
    /// torch.compile artifacts in vLLM's cache (docs/serving.md "Cold start").
    private let started = Locked<Set<String>>([])

    package init(total: Int) { self.total = total }

    /// Takes `count` GPUs if they are free.
    func tryAcquire(_ count: Int) -> Bool {
        used.withLock { u in
            guard u + count <= total else { return false }
            u += count
            return true
        }
    }

    /// Gives `count` GPUs back and wakes whoever waits.
    package func release(_ count: Int) {
        used.withLock { $0 = max(0, $0 - count) }
        for wake in waiters.withLock({ $0 }) { wake() }
    }

    /// Records a start of `model` on this node and says whether it was started here before.
    func noteStart(of model: String) -> (loadedBefore: Bool, compiledBefore: Bool) {
        let before = started.withLock { !$0.insert(model).inserted }
        return (before, before)
    }

    /// GPUs in use.
    var inUse: Int { used.withLock { $0 } }

    /// Registers a callback run (on the releasing thread) whenever GPUs are given back.
    func onRelease(_ wake: @escaping @Sendable () -> Void) { waiters.withLock { $0.append(wake) } }
}
