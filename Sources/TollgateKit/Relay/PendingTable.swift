/// The one place that knows what is in flight: request id → what to do with its response.
///
/// Every request and every response goes through it, so it is a small open-addressed table of
/// its own rather than a `Dictionary`: entries sit densely in one array, a power-of-two index of
/// positions is probed linearly with ids hashed by a per-table seed, and removal shifts the
/// probe run back instead of leaving tombstones. Lookups cost one multiply-mix and usually one
/// probe, with no hasher and no copies of the entries.
public struct PendingTable: Sendable {
    private var entries: [PendingRequest] = []
    private var hashes: [UInt64] = []
    /// Positions into `entries`, or -1 for a free slot.
    private var index: [Int32] = Array(repeating: -1, count: 16)
    private var mask = 15
    private let seed = UInt64.random(in: .min ... .max)

    public init() {}

    /// The number of requests in flight.
    public var count: Int { entries.count }

    /// What the requests in flight cost together (``PendingRequest/retainedBytes``).
    public private(set) var bytes = 0
    /// How many number ids in flight a double reader (JavaScript) reads as each value, by the
    /// value's bits: `7` and a 71-byte `7.000…0`, or 2^53 and 2^53 + 1, are one id to such a server.
    /// Exact ids (plain integers of at most 15 digits, nearly all of them) are not counted: no
    /// two of them read alike, and one that reads as an inexact id's value is looked up by it.
    private var doubleViews: [UInt64: Int] = [:]

    /// Whether a request with this id is in flight.
    public func contains(_ id: RequestID) -> Bool { find(id, hash: id.tableHash(seed: seed)).found }

    /// Whether another id in flight is the same number to a double reader (so a server storing
    /// ids as doubles could answer one with the other's response).
    public func hasDoubleTwin(of id: RequestID) -> Bool {
        guard let reading = id.doubleReading else { return false }
        if !doubleViews.isEmpty, doubleViews[reading.view, default: 0] > 0 { return true }
        // An inexact id's twin may be an exact one, which is not counted.
        guard !reading.exact, let exact = RequestID.exact(doubleView: reading.view) else { return false }
        return contains(exact)
    }

    /// Records a forwarded request (replacing one with the same id).
    public mutating func insert(_ request: PendingRequest) {
        let hash = request.clientID.tableHash(seed: seed)
        let (slot, found) = find(request.clientID, hash: hash)
        bytes += request.retainedBytes
        if found {
            bytes -= entries[Int(index[slot])].retainedBytes
            entries[Int(index[slot])] = request
            return
        }
        if let reading = request.clientID.inexactDoubleReading { doubleViews[reading, default: 0] += 1 }
        index[slot] = Int32(entries.count)
        entries.append(request)
        hashes.append(hash)
        // Linear probing stays short below half full.
        if entries.count * 2 > index.count { rebuild(capacity: index.count * 2) }
    }

    /// Takes the entry a response answers, if any.
    public mutating func remove(_ id: RequestID) -> PendingRequest? {
        let (slot, found) = find(id, hash: id.tableHash(seed: seed))
        guard found else { return nil }
        let position = Int(index[slot])
        free(slot)
        let last = entries.count - 1
        if position != last {
            // The last entry moves into the freed position.
            index[self.slot(of: last)] = Int32(position)
            entries.swapAt(position, last)
            hashes.swapAt(position, last)
        }
        hashes.removeLast()
        let removed = entries.removeLast()
        bytes -= removed.retainedBytes
        if let view = removed.clientID.inexactDoubleReading {
            if doubleViews[view] == 1 { doubleViews[view] = nil } else { doubleViews[view, default: 1] -= 1 }
        }
        return removed
    }

    /// Takes every entry (when the server went away), oldest first unless some were answered.
    public mutating func removeAll() -> [PendingRequest] {
        defer { self = PendingTable() }
        return entries
    }

    // MARK: - Probing

    private func find(_ id: RequestID, hash: UInt64) -> (slot: Int, found: Bool) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let position = index[slot]
            if position < 0 { return (slot, false) }
            if hashes[Int(position)] == hash && entries[Int(position)].clientID == id { return (slot, true) }
            slot = (slot + 1) & mask
        }
    }

    /// The slot that holds `position`.
    private func slot(of position: Int) -> Int {
        var slot = Int(truncatingIfNeeded: hashes[position]) & mask
        while index[slot] != Int32(position) { slot = (slot + 1) & mask }
        return slot
    }

    /// Frees a slot, shifting back the entries after it whose probe run crossed it.
    private mutating func free(_ slot: Int) {
        var hole = slot
        var next = (slot + 1) & mask
        while index[next] >= 0 {
            let home = Int(truncatingIfNeeded: hashes[Int(index[next])]) & mask
            // The entry may fill the hole if its home is not between the hole and itself.
            if (next &- home) & mask >= (next &- hole) & mask {
                index[hole] = index[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        index[hole] = -1
    }

    private mutating func rebuild(capacity: Int) {
        index = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for (position, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while index[slot] >= 0 { slot = (slot + 1) & mask }
            index[slot] = Int32(position)
        }
    }
}
