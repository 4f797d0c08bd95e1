import Testing

@testable import FakeSLLMHTTP

/// The connection table without sockets (descriptors of -1: shutting them down does nothing).
@Suite struct SocketTableTests {
    private func connection(_ i: Int) -> OpaquePointer { OpaquePointer(bitPattern: 0x1000 + i * 16)! }

    @Test func bookkeepingStaysBoundedOverManyConnections() {
        let t = SocketTable(headerTimeout: 30, bodyTimeout: 60, limit: 100)
        for i in 0..<10_000 {
            let c = connection(i)
            t.opened(c, fd: -1, now: 0)
            t.headersReceived(c, expectBody: false, now: 0)
            t.requestComplete(c)
            t.answered(c, now: 0)
            t.closed(c)
        }
        t.expire(now: 1)
        #expect(t.count == 0)
        #expect(t.bookkeeping.orderKeys < 100)
    }

    @Test func pastTheLimitTheOldestWaitingConnectionsAreRecycled() {
        let t = SocketTable(headerTimeout: 30, bodyTimeout: 60, limit: 2)
        let busy = connection(0)
        t.opened(busy, fd: -1, now: 0)
        t.headersReceived(busy, expectBody: false, now: 0)
        for i in 1...3 { t.opened(connection(i), fd: -1, now: 0) }
        // Four open, limit two: two waiting ones are recycled, never the one with a request in progress.
        #expect(t.bookkeeping.draining == 2)
        #expect(!t.overLimit)
        t.closed(connection(1))
        t.closed(connection(2))
        #expect(t.bookkeeping.draining == 0)
        #expect(t.count == 2)
    }

    @Test func deadlinesExpireOnce() {
        let t = SocketTable(headerTimeout: 1, bodyTimeout: 1, limit: 10)
        t.opened(connection(0), fd: -1, now: 0)
        #expect(t.expire(now: 0.5) == 0)
        #expect(t.expire(now: 2) == 1)
        #expect(t.expire(now: 3) == 0)
    }
}

/// libmicrohttpd reuses connection memory: a new connection at an old address is not mistaken for the old one.
@Suite struct SocketTableReuseTests {
    @Test func aReusedAddressIsNotRecycledForItsPredecessor() {
        let t = SocketTable(headerTimeout: 30, bodyTimeout: 60, limit: 1)
        let a = OpaquePointer(bitPattern: 0x2000)!
        let b = OpaquePointer(bitPattern: 0x3000)!
        t.opened(a, fd: -1, now: 0)
        t.headersReceived(a, expectBody: false, now: 0)
        t.closed(a)
        t.opened(b, fd: -1, now: 0)
        t.opened(a, fd: -1, now: 0)  // a new connection at the old address, the newest
        // Two open, limit one: the oldest waiting one, `b`, is recycled, not the newest at a's old address.
        #expect(t.bookkeeping.draining == 1)
        t.closed(b)
        #expect(t.bookkeeping.draining == 0)
    }
}
