/// The problems reported already, so each is reported once: kept as 64-bit hashes of their text
/// (seeded per process, 8 bytes however long the text), at most ``capacity`` of them; when full,
/// the memory starts over (a problem may then be reported again, but nothing grows).
struct ReportedOnce: Sendable {
    /// The most problems remembered.
    let capacity: Int
    private var seen: Set<UInt64> = []

    init(capacity: Int = PeerLimits.standard.reportedOnce) {
        self.capacity = capacity
    }

    /// The number of problems remembered.
    var count: Int { seen.count }

    /// Remembers `problem`; true when it was not reported yet (report it now).
    mutating func insert(_ problem: String) -> Bool {
        var hasher = Hasher()
        var text = problem
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        let hash = UInt64(UInt(bitPattern: hasher.finalize()))
        if seen.contains(hash) { return false }
        if seen.count >= capacity { seen.removeAll(keepingCapacity: true) }
        seen.insert(hash)
        return true
    }
}
