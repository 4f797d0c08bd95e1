/// The prefix cache's map from block content hash to block (``KVBlockPool``): an open-addressing table with
/// linear probing, sized once for every block, so it never grows or rehashes.
///
/// Block hashes come out of a 64-bit finalizer (``BlockHasher``), so their low bits index the table directly; a
/// `Dictionary` would hash each key again (SipHash) on every look-up, and a long run looks up, inserts and evicts
/// a block hash for every 16 tokens of every request. Removal shifts the following entries back (no tombstones),
/// so look-ups stay short however many blocks are evicted. Not thread-safe; owned by one pool.
struct BlockHashTable {
    private var keys: [UInt64]
    /// The block stored under `keys[i]`, or -1 for an empty slot.
    private var values: [Int32]
    private let mask: Int
    private(set) var count = 0

    /// A table for at most `capacity` entries (kept at most half full).
    init(capacity: Int) {
        var size = 16
        while size < 2 * max(capacity, 1) { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key) & mask }

    /// The slot holding `key`, or nil.
    private func slot(of key: UInt64) -> Int? {
        var i = home(key)
        while values[i] >= 0 {
            if keys[i] == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    /// The block stored under `key`, if any.
    subscript(key: UInt64) -> Int32? {
        guard let i = slot(of: key) else { return nil }
        return values[i]
    }

    /// Stores `block` under `key` (replacing any block stored there).
    /// - Precondition: fewer entries than the capacity the table was made for, or `key` already present.
    mutating func set(_ key: UInt64, _ block: Int32) {
        precondition(block >= 0)
        var i = home(key)
        while values[i] >= 0 {
            if keys[i] == key {
                values[i] = block
                return
            }
            i = (i + 1) & mask
        }
        precondition(2 * (count + 1) <= values.count, "block hash table over capacity")
        keys[i] = key
        values[i] = block
        count += 1
    }

    /// Removes `key` if present, moving later entries of its probe run back so no look-up path is broken.
    mutating func remove(_ key: UInt64) {
        guard var hole = slot(of: key) else { return }
        count -= 1
        var i = hole
        while true {
            i = (i + 1) & mask
            guard values[i] >= 0 else { break }
            // An entry may fill the hole only if its home is not cyclically within (hole, i].
            let h = home(keys[i])
            let fits = hole <= i ? (h <= hole || h > i) : (h <= hole && h > i)
            if fits {
                keys[hole] = keys[i]
                values[hole] = values[i]
                hole = i
            }
        }
        values[hole] = -1
    }

    /// Empties the table, keeping its storage.
    mutating func removeAll() {
        for i in values.indices { values[i] = -1 }
        count = 0
    }
}
