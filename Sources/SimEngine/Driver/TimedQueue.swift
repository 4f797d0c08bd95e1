/// A first-in, first-out queue of entries, each with the simulated time it became ready, for the API server's
/// queues and the driver's admissions (docs/engine.md §10).
///
/// Times and entries are kept in two arrays, so reading the head's time (done several times on every turn of
/// the run loop) loads one `Double` and never copies an entry (a request and its block hashes). It is SimEngine's
/// own type rather than MoECore's `FIFO`: a `package` generic type of another module is not specialised or inlined
/// where it is used (docs/swift-interop.md (e)), so every call on a `FIFO` of these entries went through generic
/// value witnesses.
/// Popping moves the head; the consumed front is dropped when the queue empties or the head has passed half the
/// arrays (and at least ``compactionThreshold`` entries). A value type; the owner decides the threading.
struct TimedQueue<Entry> {
    private var times: [Double] = []
    private var entries: [Entry] = []
    private var head = 0

    /// The fewest consumed entries worth moving the rest for.
    static var compactionThreshold: Int { 1024 }

    var count: Int { times.count - head }
    /// When the oldest entry became ready; nil when the queue is empty.
    var firstTime: Double? { head < times.count ? times[head] : nil }
    /// The queued entries with their times, oldest first.
    var elements: [(time: Double, entry: Entry)] { (head..<times.count).map { (times[$0], entries[$0]) } }

    mutating func append(_ entry: Entry, at time: Double) {
        times.append(time)
        entries.append(entry)
    }

    /// Appends `newEntries` in order, all ready at `time`.
    mutating func append(contentsOf newEntries: [Entry], at time: Double) {
        times.append(contentsOf: repeatElement(time, count: newEntries.count))
        entries.append(contentsOf: newEntries)
    }

    /// The entry `offset` places behind the oldest, and its time (`offset < count`).
    func entry(at offset: Int) -> Entry { entries[head + offset] }
    func time(at offset: Int) -> Double { times[head + offset] }

    /// Removes the `n` oldest entries (`n <= count`).
    mutating func removeFirst(_ n: Int) {
        head += n
        compact()
    }

    /// Removes and returns the oldest entry.
    @discardableResult mutating func popFirst() -> Entry? {
        guard head < times.count else { return nil }
        let entry = entries[head]
        head += 1
        compact()
        return entry
    }

    /// Drops the consumed front when the queue is empty or the head has passed half the arrays.
    @inline(__always)
    private mutating func compact() {
        if head == times.count {
            times.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.compactionThreshold, head * 2 >= times.count {
            times.removeFirst(head)
            entries.removeFirst(head)
            head = 0
        }
    }

    /// Removes the oldest entry that matches; returns it, or nil when none does. O(n).
    @discardableResult mutating func remove(where matches: (Entry) -> Bool) -> Entry? {
        guard let i = entries[head...].firstIndex(where: matches) else { return nil }
        times.remove(at: i)
        return entries.remove(at: i)
    }
}
