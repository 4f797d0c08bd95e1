import CCurl
import MoECore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The thread that drives every transfer of one ``HTTPClient`` through a single libcurl multi handle.
///
/// Other threads only touch the mutex-guarded inbox (``submit(_:)``, ``cancel(_:)``, ``shutdown()``) and wake
/// the thread with `curl_multi_wakeup`, always while holding the mutex, so a wake-up can never reach a multi
/// handle that the thread has already cleaned up. Everything else (the multi handle, easy handles, the waiting
/// queue and the active table) belongs to the loop thread alone.
///
/// At most `maxConnections` transfers are attached to libcurl at once; the rest wait here in FIFO order, so a
/// request's timeout starts when it is actually sent, not while it queues.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var submissions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        var wakePending = false
        var shuttingDown = false
        var thread: pthread_t?
    }

    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClient.Configuration
    /// Transfers attached to libcurl at most (and easy handles kept for reuse).
    private let slots: Int
    private let inbox = Locked(Inbox())

    // Loop thread only (checked in debug builds: `loopThread`).
    private let loopThread = ThreadOwner()
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var waiting = FIFO<CurlTransfer>()
    private var idleHandles: [UnsafeMutableRawPointer] = []

    /// Creates the multi handle and starts the thread.
    init(configuration: HTTPClient.Configuration) throws(HTTPClientError) {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else {
            throw HTTPClientError(kind: .other, message: "libcurl could not be initialised", url: "")
        }
        self.multi = multi
        self.configuration = configuration
        self.slots = max(1, configuration.maxConnections)
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, slots)
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, slots)

        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, curlLoopThreadMain, context) == 0 else {
            Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
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
                curl_multi_wakeup(multi)
            }
            defer { box.thread = nil }
            return box.thread
        }
        if let thread, pthread_equal(thread, pthread_self()) == 0 { pthread_join(thread, nil) }
    }

    private func wake(_ box: inout Inbox) {
        if !box.wakePending {
            box.wakePending = true
            curl_multi_wakeup(multi)
        }
    }

    // MARK: - Loop thread

    fileprivate func run() {
        loopThread.claim()
        var stillRunning: Int32 = 0
        while true {
            let (incoming, cancellations, stop) = inbox.withLock { box in
                defer {
                    box.submissions.removeAll()
                    box.cancellations.removeAll()
                    box.wakePending = false
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
            _ = curl_multi_perform(multi, &stillRunning)
            collectCompletedTransfers()
            if !waiting.isEmpty, active.count < slots { continue }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in Array(active.values) { abort(transfer, reason: "the HTTP client was shut down") }
        while let transfer = waiting.popFirst() {
            transfer.finish(transfer.failure(.cancelled, "the HTTP client was shut down"))
        }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
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

/// The loop thread's entry point; `context` is a retained ``CurlMultiLoop``, released when the loop ends.
private let curlLoopThreadMain: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
    let loop = Unmanaged<CurlMultiLoop>.fromOpaque(context!).takeRetainedValue()
    loop.run()
    return nil
}
