import Testing

@testable import MoECore

/// The package's one FIFO (array plus head index, compacting).
@Suite struct FIFOTests {
    @Test func popsInTheOrderItWasFed() {
        var q = FIFO<Int>()
        #expect(q.isEmpty && q.popFirst() == nil)
        for i in 0..<5 { q.append(i) }
        #expect(q.count == 5 && q.first == 0)
        #expect(q.popFirst() == 0)
        #expect(q.popFirst() == 1)
        #expect(Array(q.elements) == [2, 3, 4])
    }

    @Test func prependPutsAnElementInFront() {
        var q = FIFO<Int>()
        q.prepend(1)
        q.append(2)
        q.prepend(0)
        _ = q.popFirst()
        q.prepend(9)
        for i in 0..<20 { q.prepend(-i) }
        #expect(Array(q.elements.prefix(3)) == [-19, -18, -17])
        #expect(Array(q.elements.suffix(3)) == [9, 1, 2])
        #expect(q.count == 23)
    }

    @Test func removeTakesTheOldestMatchOnly() {
        var q = FIFO<Int>()
        for i in [1, 2, 3, 2] { q.append(i) }
        _ = q.popFirst()
        #expect(q.remove { $0 == 2 } == 2)
        #expect(q.remove { $0 == 7 } == nil)
        #expect(Array(q.elements) == [3, 2])
    }

    /// A queue that never drains keeps at most about twice what it holds (the two copies that did not compact
    /// kept every consumed entry until they drained).
    @Test func aQueueThatNeverDrainsStaysBounded() {
        var q = FIFO<Int>()
        q.append(-1)
        for i in 0..<100_000 {
            q.append(i)
            _ = q.popFirst()
        }
        #expect(q.count == 1)
        #expect(q.storage.count <= 2 * FIFO<Int>.compactionThreshold + 2)
        #expect(q.first == 99_999)
    }
}
