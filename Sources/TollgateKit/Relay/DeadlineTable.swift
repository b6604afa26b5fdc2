/// Deadlines (monotonic milliseconds) by timer, with the earliest kept at hand. Setting is O(1);
/// the earliest is recomputed only after the timer holding it went away.
///
/// It also knows what the I/O layer waits for: ``arm()`` hands out the earliest deadline, and
/// a timer set later with an earlier deadline makes ``takeWakeRequest()`` true, so the waiting
/// thread can be woken. The relay session and the aggregating host session both keep one.
public struct DeadlineTable: Sendable {
    private var deadlines: [RelayTimer: Int64] = [:]
    private var cachedEarliest: Int64?
    private var stale = false
    /// The deadline the I/O layer was last given (see ``arm()``).
    private var armedDeadline: Int64?
    /// Whether a deadline earlier than ``armedDeadline`` was set since.
    private var wakeRequested = false
    /// How many ``RelayTimer/lateResponse(_:)`` timers are set, and the bytes of their ids
    /// (ids kept reserved count as requests in flight).
    public private(set) var lateResponses = 0
    public private(set) var lateResponseBytes = 0

    public init() {}

    /// Whether no timer is set.
    public var isEmpty: Bool { deadlines.isEmpty }

    /// The number of timers set.
    public var count: Int { deadlines.count }

    /// The deadline of a timer, if it is set.
    public subscript(timer: RelayTimer) -> Int64? { deadlines[timer] }

    /// Sets (or moves) a timer, asking for a wake-up when it is earlier than what the I/O layer
    /// waits for.
    public mutating func set(_ timer: RelayTimer, at deadline: Int64) {
        let old = deadlines.updateValue(deadline, forKey: timer)
        if let old, old == cachedEarliest, deadline > old { stale = true }
        if old == nil { count(timer, by: 1) }
        if !stale { cachedEarliest = Swift.min(cachedEarliest ?? deadline, deadline) }
        if armedDeadline.map({ deadline < $0 }) ?? true {
            armedDeadline = deadline
            wakeRequested = true
        }
    }

    /// Hands the earliest deadline to the I/O layer, which then waits until it.
    public mutating func arm() -> Int64? {
        armedDeadline = earliest()
        wakeRequested = false
        return armedDeadline
    }

    /// Whether a timer earlier than the armed deadline was set since the last call (the I/O
    /// layer must then wake its waiting thread). Reading it clears it.
    public mutating func takeWakeRequest() -> Bool {
        defer { wakeRequested = false }
        return wakeRequested
    }

    /// Cancels a timer; returns its deadline if it was set.
    @discardableResult
    public mutating func remove(_ timer: RelayTimer) -> Int64? {
        guard let deadline = deadlines.removeValue(forKey: timer) else { return nil }
        if deadline == cachedEarliest { stale = true }
        count(timer, by: -1)
        return deadline
    }

    /// The earliest deadline, or nil when no timer is set (without refreshing the cache: prefer
    /// ``earliest()`` where the table may be changed).
    public var earliestDeadline: Int64? { stale ? deadlines.values.min() : cachedEarliest }

    /// The earliest deadline, or nil when no timer is set.
    public mutating func earliest() -> Int64? {
        if stale {
            cachedEarliest = deadlines.values.min()
            stale = false
        }
        return cachedEarliest
    }

    /// Removes and returns every timer due at `now`, earliest first.
    public mutating func expire(now: Int64) -> [RelayTimer] {
        guard let earliest = earliest(), earliest <= now else { return [] }
        let due = deadlines.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (timer, _) in due {
            deadlines.removeValue(forKey: timer)
            count(timer, by: -1)
        }
        stale = true
        return due.map(\.key)
    }

    /// Removes every timer.
    public mutating func removeAll() {
        deadlines.removeAll()
        cachedEarliest = nil
        stale = false
        lateResponses = 0
        lateResponseBytes = 0
    }

    /// Counts a late-response timer set (`by` 1) or gone (-1).
    private mutating func count(_ timer: RelayTimer, by change: Int) {
        guard case .lateResponse(let id) = timer else { return }
        lateResponses += change
        lateResponseBytes += change * id.byteCount
    }
}
