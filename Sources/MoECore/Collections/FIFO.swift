/// A first-in, first-out queue: an array and the index of its head.
///
/// Popping moves the head; the consumed front is dropped when the queue empties, or when the head has passed
/// half the array (and at least ``compactionThreshold`` entries), so a queue that never drains keeps at most
/// about twice what it holds. Amortized O(1) ``append(_:)``, ``popFirst()`` and ``prepend(_:)``; ``remove(where:)``
/// is O(n). A value type; the owner decides the threading.
package struct FIFO<Element> {
    @usableFromInline var storage: [Element] = []
    @usableFromInline var head = 0

    /// The fewest consumed entries worth moving the rest for.
    package static var compactionThreshold: Int { 1024 }

    @inlinable package init() {}

    /// A queue of `elements`, the first one oldest.
    @inlinable package init(_ elements: some Sequence<Element>) { storage = Array(elements) }

    @inlinable package var isEmpty: Bool { head == storage.count }
    @inlinable package var count: Int { storage.count - head }
    @inlinable package var first: Element? { head < storage.count ? storage[head] : nil }
    /// The queued elements, oldest first.
    @inlinable package var elements: ArraySlice<Element> { storage[head...] }

    @inlinable package mutating func append(_ element: Element) { storage.append(element) }

    /// Puts `element` in front of the others (a preempted request goes back first).
    @inlinable package mutating func prepend(_ element: Element) {
        if head == 0 {
            // Leave room in front for further prepends.
            let room = Swift.max(8, count)
            storage = [Element](repeating: element, count: room) + storage
            head = room
        }
        head -= 1
        storage[head] = element
    }

    /// Removes and returns the oldest element.
    @inlinable @discardableResult package mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.compactionThreshold, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes the oldest element that matches; returns it, or nil when none does. O(n).
    @inlinable @discardableResult
    package mutating func remove(where matches: (Element) throws -> Bool) rethrows -> Element? {
        guard let i = try storage[head...].firstIndex(where: matches) else { return nil }
        return storage.remove(at: i)
    }

    /// Empties the queue, keeping its capacity.
    @inlinable package mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }
}

extension FIFO: Sendable where Element: Sendable {}
