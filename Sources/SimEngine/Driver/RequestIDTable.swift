/// A map from request id to a value: an open-addressing table with linear probing that doubles when half full.
///
/// The API server looks up a request's collector for every output of every step and every stream chunk it
/// writes (``APIServerLoop``); a `Dictionary` hashes each id with SipHash on every look-up, which cost more than
/// the loop's own work. Ids are spread by one multiplication (Fibonacci hashing) and the top bits pick the slot.
/// Removal shifts the following entries back (no tombstones). Iteration order is not offered. Not thread-safe.
struct RequestIDTable<Value> {
    private var keys: [UInt64]
    private var values: [Value?]
    /// log2 of the slot count.
    private var bits: Int
    private(set) var count = 0

    init() {
        bits = 4
        keys = [UInt64](repeating: 0, count: 1 << bits)
        values = [Value?](repeating: nil, count: 1 << bits)
    }

    private var mask: Int { (1 << bits) - 1 }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits)) }

    /// The slot holding `key`, or nil.
    @inline(__always)
    func slot(of key: UInt64) -> Int? {
        var i = home(key)
        while values[i] != nil {
            if keys[i] == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    /// The value in `slot` (from ``slot(of:)``, valid until the table next changes its keys).
    subscript(slot slot: Int) -> Value {
        get { values[slot]! }
        set { values[slot] = newValue }
    }

    /// The value stored under `key`, if any; setting nil removes it.
    subscript(key: UInt64) -> Value? {
        get { slot(of: key).map { values[$0]! } }
        set {
            if let newValue { insert(key, newValue) } else { remove(key) }
        }
    }

    private mutating func insert(_ key: UInt64, _ value: Value) {
        if 2 * (count + 1) > keys.count { grow() }
        var i = home(key)
        while values[i] != nil {
            if keys[i] == key {
                values[i] = value
                return
            }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        bits += 1
        keys = [UInt64](repeating: 0, count: 1 << bits)
        values = [Value?](repeating: nil, count: 1 << bits)
        count = 0
        for i in oldKeys.indices { if let v = oldValues[i] { insert(oldKeys[i], v) } }
    }

    /// Removes the entry in `slot`, moving later entries of its probe run back so no look-up path is broken.
    mutating func remove(slot: Int) {
        var hole = slot
        count -= 1
        var i = hole
        while true {
            i = (i + 1) & mask
            guard values[i] != nil else { break }
            // An entry may fill the hole only if its home is not cyclically within (hole, i].
            let h = home(keys[i])
            let fits = hole <= i ? (h <= hole || h > i) : (h <= hole && h > i)
            if fits {
                keys[hole] = keys[i]
                values[hole] = values[i]
                hole = i
            }
        }
        values[hole] = nil
    }

    /// Removes `key` if present.
    mutating func remove(_ key: UInt64) {
        if let s = slot(of: key) { remove(slot: s) }
    }
}
