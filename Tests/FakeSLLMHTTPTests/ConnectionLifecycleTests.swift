import Testing

@testable import FakeSLLMHTTP

/// The connection state machine, without sockets.
@Suite struct ConnectionLifecycleTests {
    @Test func aStreamedRequestGoesThroughEveryPhase() {
        var l = ConnectionLifecycle()
        #expect(l.phase == .accepted)
        l.startReading()
        #expect(l.phase == .reading)
        let r1 = l.suspend()
        #expect(!r1, "a request still reading its body is never suspended")
        l.dispatch()
        #expect(l.phase == .dispatched)
        let r2 = l.suspend()
        #expect(r2)
        let r3 = l.suspend()
        #expect(!r3, "suspended once at a time")
        let r4 = l.resume()
        #expect(r4)
        let r5 = l.resume()
        #expect(!r5, "resumed only when suspended")
        l.answer(streaming: true)
        #expect(l.phase == .streaming)
        let r6 = l.suspend()
        let r6b = l.resume()
        #expect(r6 && r6b)
        let r7 = l.complete(ok: true)
        #expect(!r7)
        #expect(l.phase == .done)
        let r8 = l.abort()
        #expect(!r8, "a finished request has nothing to cancel")
    }

    @Test func aHangUpCancelsOnceAndTheConnectionIsResumedToClose() {
        var l = ConnectionLifecycle()
        l.startReading()
        l.dispatch()
        let r9 = l.suspend()
        #expect(r9)
        let r10 = l.abort()
        #expect(r10)
        #expect(l.phase == .aborted)
        let r11 = l.abort()
        #expect(!r11)
        let r12 = l.resume()
        #expect(r12, "an aborted, suspended connection is resumed so libmicrohttpd can close it")
        let r13 = l.complete(ok: false)
        #expect(!r13, "the completion notice does not cancel twice")
    }

    @Test func nothingIsResumedAfterTheCompletionNotice() {
        var l = ConnectionLifecycle()
        l.startReading()
        l.dispatch()
        let r14 = l.suspend()
        #expect(r14)
        let r15 = l.complete(ok: false)
        #expect(r15, "an abnormal end of unfinished work cancels it")
        let r16 = l.resume()
        #expect(!r16)
        let r17 = l.suspend()
        #expect(!r17)
    }

    @Test func aRefusalAtTheHeadersSkipsTheHandler() {
        var l = ConnectionLifecycle()
        l.reject()
        #expect(l.phase == .replying)
        let r18 = l.complete(ok: true)
        #expect(!r18)
        #expect(l.phase == .done)
    }

    @Test func aStepAfterAnAbortIsIgnored() {
        var l = ConnectionLifecycle()
        l.startReading()
        _ = l.abort()
        l.dispatch()
        l.answer(streaming: true)
        l.reject()
        #expect(l.phase == .aborted)
    }

    #if DEBUG
        @Test func anIllegalTransitionStopsADebugBuild() async {
            await #expect(processExitsWith: .failure) {
                var l = ConnectionLifecycle()
                l.reject()
                l.dispatch()  // a refused request never reaches the handler
            }
            await #expect(processExitsWith: .failure) {
                var l = ConnectionLifecycle()
                _ = l.complete(ok: true)
                _ = l.complete(ok: true)
            }
        }
    #endif
}
