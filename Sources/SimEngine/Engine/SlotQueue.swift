/// A FIFO of request slots that also accepts pushes at the front (preempted requests go back first, as in
/// vLLM's `prepend_request`). Amortized O(1) at both ends.
struct SlotQueue {
    private var storage: [Int] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Int? { isEmpty ? nil : storage[head] }

    mutating func append(_ slot: Int) { storage.append(slot) }

    mutating func prepend(_ slot: Int) {
        if head > 0 {
            head -= 1
            storage[head] = slot
        } else {
            // Leave room in front for further prepends.
            let room = max(8, count)
            storage = [Int](repeating: 0, count: room) + storage[head...]
            head = room - 1
            storage[head] = slot
        }
    }

    @discardableResult
    mutating func popFirst() -> Int? {
        guard !isEmpty else { return nil }
        let s = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return s
    }

    /// Removes `slot` wherever it is (abort); O(n).
    mutating func remove(_ slot: Int) -> Bool {
        guard let i = storage[head...].firstIndex(of: slot) else { return false }
        storage.remove(at: i)
        return true
    }
}
