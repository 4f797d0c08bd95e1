import CCurl
import MoECore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The thread that drives every transfer of one ``HTTPClient`` through a single libcurl multi handle.
///
/// Other threads only touch the mutex-guarded inbox (``submit(_:)``, ``cancel(_:)``, ``shutdown()``) and wake
/// the thread through a pipe, always while holding the mutex, so a wake-up can never reach a pipe that the
/// thread has already closed. Everything else (the multi handle, easy handles, the waiting queue, the active
/// table, the watched sockets and the timer) belongs to the loop thread alone.
///
/// The loop uses libcurl's socket interface (`curl_multi_socket_action`): libcurl names the sockets to watch
/// and when its next timeout is due, the loop waits on exactly those (epoll on Linux, `poll` elsewhere) and
/// tells libcurl which socket is ready. (`curl_multi_perform` instead visits every transfer on each turn and
/// probes each socket with its own `poll`: a hundred system calls per answer at concurrency 100; and one `poll`
/// of a hundred sockets costs the kernel tens of microseconds, an epoll wait does not.)
///
/// At most `maxConnections` transfers are attached to libcurl at once; the rest wait here in FIFO order, so a
/// request's timeout starts when it is actually sent, not while it queues.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var submissions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        var wakePending = false
        /// The loop found the inbox empty and is about to wait (or waits) on epoll/poll: only then does a
        /// submission need the wake-up pipe (otherwise the loop drains the inbox at its next turn anyway).
        var loopWaiting = false
        var shuttingDown = false
        var thread: pthread_t?
    }

    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClient.Configuration
    /// Transfers attached to libcurl at most (and easy handles kept for reuse).
    private let slots: Int
    private let inbox = Locked(Inbox())
    /// Turns of the loop so far (each wait that returned, each pass over new submissions); tests read it to see
    /// that an idle client sleeps. Any thread.
    let turns = Atomic<Int>(0)

    // Loop thread only (checked in debug builds: `loopThread`).
    private let loopThread = ThreadOwner()
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var waiting = FIFO<CurlTransfer>()
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// The sockets libcurl asked to watch, with the events for each.
    private var watched: [curl_socket_t: Int16] = [:]
    #if os(Linux)
        /// The sockets in the epoll set: those of ``watched`` and idle ones that libcurl stopped watching (a
        /// keep-alive connection between two requests), left in the set so that its next request costs one
        /// `EPOLL_CTL_MOD` instead of a `DEL` and an `ADD`.
        private var inEpollSet = Set<curl_socket_t>()
    #endif
    #if !os(Linux)
        /// The `poll` set: the wake-up pipe first, then ``watched`` (rebuilt when that changes).
        private var pollSet: [pollfd] = []
        private var pollSetIsStale = true
    #endif
    /// When libcurl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` next; nil when it set no timer.
    private var timerDeadline: ContinuousClock.Instant?
    /// The wake-up pipe: other threads write a byte (under the inbox lock), the loop drains the read end.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    #if os(Linux)
        /// The epoll set of ``watched`` and the wake-up pipe.
        private let epoll: Int32
    #endif

    /// Creates the multi handle and starts the thread.
    init(configuration: HTTPClient.Configuration) throws(HTTPClientError) {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else {
            throw HTTPClientError(kind: .other, message: "libcurl could not be initialised", url: "")
        }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            curl_multi_cleanup(multi)
            throw HTTPClientError(kind: .other, message: "could not create the HTTP client's wake-up pipe", url: "")
        }
        for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        self.wakeRead = ends[0]
        self.wakeWrite = ends[1]
        #if os(Linux)
            let set = epoll_create1(Int32(EPOLL_CLOEXEC))
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = ends[0]
            guard set >= 0, epoll_ctl(set, EPOLL_CTL_ADD, ends[0], &event) == 0 else {
                curl_multi_cleanup(multi)
                for fd in ends + [set] where fd >= 0 { close(fd) }
                throw HTTPClientError(kind: .other, message: "could not create the HTTP client's epoll set", url: "")
            }
            epoll = set
        #endif
        self.multi = multi
        self.configuration = configuration
        self.slots = max(1, configuration.maxConnections)
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, slots)
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, slots)
        // Unretained: the callbacks run only inside libcurl calls on the loop thread, which holds a reference.
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = shim_multi_setopt_socket_callback(multi, curlOnSocket)
        _ = shim_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = shim_multi_setopt_timer_callback(multi, curlOnTimer)
        _ = shim_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)

        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, curlLoopThreadMain, context) == 0 else {
            Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            closeDescriptors()
            throw HTTPClientError(kind: .other, message: "could not start the HTTP client thread", url: "")
        }
        inbox.withLock { $0.thread = thread }
    }

    /// Queues `transfer`; it fails at once with `.cancelled` if the loop is shut down. Any thread.
    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLock { box in
            guard !box.shuttingDown else { return false }
            box.submissions.append(transfer)
            wake(&box)
            return true
        }
        if !accepted { transfer.finish(transfer.failure(.cancelled, "the HTTP client is shut down")) }
    }

    /// Asks the loop to abort `transfer` (queued or running) and fail it with `.cancelled`. Any thread.
    func cancel(_ transfer: CurlTransfer) {
        transfer.requestCancellation()
        inbox.withLock { box in
            guard !box.shuttingDown else { return }
            box.cancellations.append(transfer)
            wake(&box)
        }
    }

    /// Fails every queued and running transfer with `.cancelled`, stops the thread and waits for it to exit
    /// (unless called on the loop thread itself, e.g. from an event callback). Idempotent; any thread.
    func shutdown() {
        let thread: pthread_t? = inbox.withLock { box in
            if !box.shuttingDown {
                box.shuttingDown = true
                signalWake()
            }
            defer { box.thread = nil }
            return box.thread
        }
        if let thread, pthread_equal(thread, pthread_self()) == 0 { pthread_join(thread, nil) }
    }

    private func wake(_ box: inout Inbox) {
        if box.loopWaiting, !box.wakePending {
            box.wakePending = true
            signalWake()
        }
    }

    /// Writes the wake-up byte (a full pipe already holds one: the loop wakes either way). Under the inbox lock.
    private func signalWake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: - Loop thread

    fileprivate func run() {
        loopThread.claim()
        var stillRunning: Int32 = 0
        while true {
            turns.add(1, ordering: .relaxed)
            let (incoming, cancellations, stop) = inbox.withLock { box in
                defer {
                    box.submissions.removeAll()
                    box.cancellations.removeAll()
                    box.wakePending = false
                    box.loopWaiting = false
                }
                return (box.submissions, box.cancellations, box.shuttingDown)
            }
            for transfer in incoming {
                if transfer.isCancellationRequested {
                    transfer.finish(transfer.failure(.cancelled, "cancelled before it was sent"))
                } else {
                    waiting.append(transfer)
                }
            }
            if stop { break }
            for transfer in cancellations { abort(transfer, reason: "cancelled") }

            startWaitingTransfers()
            runTimerIfDue(&stillRunning)
            collectCompletedTransfers()
            if !waiting.isEmpty, active.count < slots { continue }
            // Wait only with an empty inbox, and say so under the same lock: a submission after this point
            // writes the wake-up byte, one before it is taken at the next turn without any system call.
            let mayWait = inbox.withLock { box in
                guard box.submissions.isEmpty, box.cancellations.isEmpty, !box.shuttingDown else { return false }
                box.loopWaiting = true
                return true
            }
            if !mayWait { continue }
            waitAndDispatch(&stillRunning)
            runTimerIfDue(&stillRunning)
            collectCompletedTransfers()
        }
        for transfer in Array(active.values) { abort(transfer, reason: "the HTTP client was shut down") }
        while let transfer = waiting.popFirst() {
            transfer.finish(transfer.failure(.cancelled, "the HTTP client was shut down"))
        }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        closeDescriptors()  // no thread writes any more: the inbox says shutting down
    }

    private func closeDescriptors() {
        close(wakeRead)
        close(wakeWrite)
        #if os(Linux)
            close(epoll)
        #endif
    }

    /// Milliseconds to wait for: until libcurl's timer, at most a second.
    private var waitMilliseconds: Int32 {
        guard let deadline = timerDeadline else { return 1000 }
        let left = ContinuousClock.now.duration(to: deadline).components
        return Int32(max(0, min(1000, left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)))
    }

    /// Empties the wake-up pipe (a short read means it is empty: no second read to hear EAGAIN).
    private func drainWake() {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &buffer, { read(wakeRead, $0.baseAddress, $0.count) })
            == MemoryLayout.size(ofValue: buffer)
        {}
    }

    #if os(Linux)
        /// Waits (up to libcurl's next timeout, at most a second) for a watched socket or a wake-up, then hands
        /// each ready socket to libcurl.
        private func waitAndDispatch(_ stillRunning: inout Int32) {
            var events = [epoll_event](repeating: epoll_event(), count: 64)
            let ready = events.withUnsafeMutableBufferPointer {
                epoll_wait(epoll, $0.baseAddress, 64, waitMilliseconds)
            }
            guard ready > 0 else { return }
            for event in events.prefix(Int(ready)) {
                let fd = event.data.fd
                if fd == wakeRead {
                    drainWake()
                    continue
                }
                if watched[fd] == nil {  // an idle socket left in the set (see `watch`): the server closed it
                    _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                    inEpollSet.remove(fd)
                    continue
                }
                var mask: Int32 = 0
                if event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                    mask |= CURL_CSELECT_IN
                }
                if event.events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
                if event.events & EPOLLERR.rawValue != 0 { mask |= CURL_CSELECT_ERR }
                _ = curl_multi_socket_action(multi, fd, mask, &stillRunning)
            }
        }

        /// CURLMOPT_SOCKETFUNCTION: watch `socket` for `what` (CURL_POLL_IN/OUT/INOUT), or stop
        /// (CURL_POLL_REMOVE).
        ///
        /// A removed socket stays in the epoll set: libcurl removes a keep-alive connection's socket at the end of
        /// each transfer and watches it again for the next one, and an idle connection reports nothing (unless
        /// the server closes it: `waitAndDispatch` then takes it out). A socket libcurl closes leaves the set by
        /// itself, and its number may come back for a new connection: whichever of modify and add fails, the
        /// other one is right.
        fileprivate func watch(_ socket: curl_socket_t, what: Int32) {
            if what == CURL_POLL_REMOVE {
                watched.removeValue(forKey: socket)
                return
            }
            var event = epoll_event()
            if what == CURL_POLL_IN || what == CURL_POLL_INOUT { event.events |= EPOLLIN.rawValue }
            if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { event.events |= EPOLLOUT.rawValue }
            event.data.fd = socket
            watched[socket] = Int16(truncatingIfNeeded: event.events)
            let known = !inEpollSet.insert(socket).inserted
            if epoll_ctl(epoll, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event) != 0 {
                _ = epoll_ctl(epoll, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, socket, &event)
            }
        }
    #else
        /// Waits (up to libcurl's next timeout, at most a second) for a watched socket or a wake-up, then hands
        /// each ready socket to libcurl.
        private func waitAndDispatch(_ stillRunning: inout Int32) {
            if pollSetIsStale {
                pollSet = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                for (fd, events) in watched { pollSet.append(pollfd(fd: fd, events: events, revents: 0)) }
                pollSetIsStale = false
            }
            let timeout = waitMilliseconds
            let ready = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
            guard ready > 0 else { return }
            let set = pollSet  // the callbacks may change `watched` while libcurl runs
            for i in set.indices where set[i].revents != 0 {
                let entry = set[i]
                pollSet[i].revents = 0
                if entry.fd == wakeRead {
                    drainWake()
                    continue
                }
                if entry.revents & Int16(POLLNVAL) != 0 {  // closed without a removal notice: forget it
                    watched[entry.fd] = nil
                    pollSetIsStale = true
                    continue
                }
                var mask: Int32 = 0
                if entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { mask |= CURL_CSELECT_IN }
                if entry.revents & Int16(POLLOUT) != 0 { mask |= CURL_CSELECT_OUT }
                if entry.revents & Int16(POLLERR) != 0 { mask |= CURL_CSELECT_ERR }
                _ = curl_multi_socket_action(multi, entry.fd, mask, &stillRunning)
            }
        }

        /// CURLMOPT_SOCKETFUNCTION: watch `socket` for `what` (CURL_POLL_IN/OUT/INOUT), or stop
        /// (CURL_POLL_REMOVE).
        fileprivate func watch(_ socket: curl_socket_t, what: Int32) {
            var events: Int16 = 0
            if what == CURL_POLL_IN || what == CURL_POLL_INOUT { events |= Int16(POLLIN) }
            if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { events |= Int16(POLLOUT) }
            let new: Int16? = what == CURL_POLL_REMOVE ? nil : events
            if watched[socket] != new {
                watched[socket] = new
                pollSetIsStale = true
            }
        }
    #endif

    /// Runs libcurl's timeout handling when its timer is due.
    private func runTimerIfDue(_ stillRunning: inout Int32) {
        guard let deadline = timerDeadline, deadline <= .now else { return }
        timerDeadline = nil
        _ = curl_multi_socket_action(multi, curl_socket_t(CURL_SOCKET_BAD), 0, &stillRunning)
    }

    /// CURLMOPT_TIMERFUNCTION: call `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` after `milliseconds`
    /// (0: at once), or never (-1).
    fileprivate func setTimer(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : ContinuousClock.now.advanced(by: .milliseconds(milliseconds))
    }

    private func startWaitingTransfers() {
        loopThread.assertOwner("CurlMultiLoop's transfer tables")
        while active.count < slots, let transfer = waiting.popFirst() {
            guard let handle = idleHandles.popLast() ?? curl_easy_init() else {
                transfer.finish(transfer.failure(.other, "libcurl could not create a handle"))
                continue
            }
            if let error = transfer.attach(to: handle, configuration: configuration) {
                transfer.detach()
                recycle(handle)
                transfer.finish(.failure(error))
                continue
            }
            let code = curl_multi_add_handle(multi, handle)
            guard code == CURLM_OK else {
                transfer.detach()
                recycle(handle)
                transfer.finish(transfer.failure(.other, String(cString: curl_multi_strerror(code))))
                continue
            }
            active[handle] = transfer
        }
    }

    private func collectCompletedTransfers() {
        loopThread.assertOwner("CurlMultiLoop's transfer tables")
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = shim_multi_message_result(message)  // read before the handle is removed
            curl_multi_remove_handle(multi, handle)
            guard let transfer = active.removeValue(forKey: handle) else { continue }
            let outcome = transfer.complete(code: code)
            recycle(handle)
            transfer.finish(outcome)
        }
    }

    private func abort(_ transfer: CurlTransfer, reason: String) {
        loopThread.assertOwner("CurlMultiLoop's transfer tables")
        if let handle = transfer.easy, active[handle] === transfer {
            curl_multi_remove_handle(multi, handle)
            active[handle] = nil
            transfer.detach()
            recycle(handle)
        } else {
            waiting.remove { $0 === transfer }
        }
        transfer.finish(transfer.failure(.cancelled, reason))
    }

    private func recycle(_ handle: UnsafeMutableRawPointer) {
        if idleHandles.count < slots {
            idleHandles.append(handle)
        } else {
            curl_easy_cleanup(handle)
        }
    }
}

/// `curl_global_init`, run once per process before the first handle (a `static let` is initialised once,
/// thread-safely).
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}

/// CURLMOPT_SOCKETFUNCTION; `userp` is the unretained ``CurlMultiLoop``.
private let curlOnSocket: curl_socket_callback = { _, socket, what, userp, _ in
    Unmanaged<CurlMultiLoop>.fromOpaque(userp!).takeUnretainedValue().watch(socket, what: what)
    return 0
}

/// CURLMOPT_TIMERFUNCTION; `userp` is the unretained ``CurlMultiLoop``.
private let curlOnTimer: curl_multi_timer_callback = { _, milliseconds, userp in
    Unmanaged<CurlMultiLoop>.fromOpaque(userp!).takeUnretainedValue().setTimer(milliseconds)
    return 0
}

/// The loop thread's entry point; `context` is a retained ``CurlMultiLoop``, released when the loop ends.
private let curlLoopThreadMain: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
    let loop = Unmanaged<CurlMultiLoop>.fromOpaque(context!).takeRetainedValue()
    loop.run()
    return nil
}
