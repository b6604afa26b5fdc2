/// How a ``SpendSeries`` buckets time: bucket width, the rolling window (if any) and how long
/// buckets are kept (the window, or the last hour for burn rates when there is no window).
struct SpendClock: Sendable, Hashable {
    /// One bucket's width in milliseconds.
    let width: Int64
    /// The rolling window; nil: totals never shrink.
    let window: Int64?
    /// How long a bucket is kept after its end.
    let retention: Int64

    init(window: BudgetWindow?) {
        width = window?.bucketMs ?? 60_000
        self.window = window?.lengthMs
        retention = window?.lengthMs ?? 3_600_000
    }

    /// The bucket holding `time` (floor division, also for times before the epoch).
    @inline(__always)
    func bucket(of time: Int64) -> Int64 {
        time >= 0 ? time / width : -((-time + width - 1) / width)
    }

    /// Whether the bucket has left the kept range at `now` (every instant in it is older than
    /// the retention).
    @inline(__always)
    func isExpired(bucket: Int64, now: Int64) -> Bool {
        (bucket + 1) * width + retention <= now
    }
}

/// One budget's spend over time: the counted total and, per time bucket, what was spent in it,
/// oldest first. With a window, a bucket's spend leaves the total when the bucket expires;
/// without one, buckets are only kept for the burn rate of the last hour.
struct SpendSeries: Sendable {
    /// One bucket: its number (`time / width`) and what was spent in it.
    struct Bucket: Sendable, Hashable {
        var index: Int64
        var usage: BudgetUsage
    }

    /// What counts now.
    private(set) var total = BudgetUsage.zero
    /// Buckets from `head` on, oldest first (entries before `head` are dropped lazily).
    private var storage: [Bucket] = []
    private var head = 0

    /// The kept buckets, oldest first.
    var buckets: ArraySlice<Bucket> { storage[head...] }

    /// Drops the buckets that expired at `now` (and their spend from the total, with a window).
    @inline(__always)
    mutating func expire(now: Int64, clock: SpendClock) {
        guard head < storage.count, clock.isExpired(bucket: storage[head].index, now: now) else { return }
        expireSlow(now: now, clock: clock)
    }

    private mutating func expireSlow(now: Int64, clock: SpendClock) {
        while head < storage.count && clock.isExpired(bucket: storage[head].index, now: now) {
            if clock.window != nil { total -= storage[head].usage }
            head += 1
        }
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    /// Adds `amount` spent at `time`; `now` is the newest time the caller has seen. Spend in a
    /// bucket that already expired is ignored with a window (it would have left the total) and
    /// counted in the total without one.
    @inline(__always)
    mutating func add(_ amount: BudgetUsage, at time: Int64, now: Int64, clock: SpendClock) {
        let index = clock.bucket(of: time)
        if clock.isExpired(bucket: index, now: now) {
            if clock.window == nil { total += amount }
            return
        }
        total += amount
        if let last = storage.indices.last, last >= head, storage[last].index == index {
            storage[last].usage += amount
        } else if head == storage.count || storage[storage.count - 1].index < index {
            storage.append(Bucket(index: index, usage: amount))
        } else {
            insertEarlier(amount, index: index)
        }
    }

    /// Adds to a bucket older than the newest one (a settle for an old reservation, or an event
    /// from a process whose clock is behind).
    private mutating func insertEarlier(_ amount: BudgetUsage, index: Int64) {
        var position = storage.count
        while position > head && storage[position - 1].index > index { position -= 1 }
        if position > head && storage[position - 1].index == index {
            storage[position - 1].usage += amount
        } else {
            storage.insert(Bucket(index: index, usage: amount), at: position)
        }
    }

    /// Forgets all spend.
    mutating func reset() {
        total = .zero
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// What was spent in buckets that end after `since` (for burn rates).
    func spent(endingAfter since: Int64, clock: SpendClock) -> BudgetUsage {
        var sum = BudgetUsage.zero
        for bucket in buckets.reversed() {
            if (bucket.index + 1) * clock.width <= since { break }
            sum += bucket.usage
        }
        return sum
    }
}
