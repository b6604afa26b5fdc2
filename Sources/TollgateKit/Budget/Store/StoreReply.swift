/// What one run of ``StoreScript`` answered.
enum StoreReply: Sendable, Equatable {
    /// Reserved or added, at the server's `now`: each budget's totals after the change.
    case applied(now: Int64, totals: [BudgetUsage])
    /// Refused by budget `budget` (0-based) on `counter`.
    case refused(now: Int64, budget: Int, counter: BudgetCounter, used: Int64, cap: Int64, requested: Int64, resetsAt: Int64?)
    /// Refused by rate bucket `bucket` (0-based): a token frees up in `retryAfterMs`.
    case limited(now: Int64, bucket: Int, retryAfterMs: Int64)

    /// Reads a reply to a run over `budgets` budgets and `buckets` rate buckets; an error reply
    /// (a missing ACL permission, a script error) or a reply of another shape throws.
    init(_ reply: RESPValue, budgets: Int, buckets: Int) throws(StoreError) {
        if let text = reply.errorText { throw StoreError(.refused, "the store refused the budget script: \(text)") }
        let shape = StoreError(.malformed, "the store's answer to the budget script has an unexpected shape")
        guard let elements = reply.elements, elements.count >= 2, let kind = elements[0].integer, let now = elements[1].integer else { throw shape }
        let numbers = elements.dropFirst(2).map(\.integer)
        guard numbers.allSatisfy({ $0 != nil }) else { throw shape }
        let values = numbers.map { $0! }
        switch kind {
        case 1:
            guard values.count == 4 * budgets else { throw shape }
            self = .applied(now: now, totals: (0..<budgets).map { index in
                var usage = BudgetUsage.zero
                for counter in BudgetCounter.allCases { usage[counter] = values[index * 4 + counter.rawValue] }
                return usage
            })
        case 0:
            guard values.count == 6, values[0] >= 1, values[0] <= budgets, let counter = BudgetCounter(rawValue: Int(values[1])) else { throw shape }
            self = .refused(now: now, budget: Int(values[0]) - 1, counter: counter, used: values[2], cap: values[3], requested: values[4],
                            resetsAt: values[5] < 0 ? nil : values[5])
        case 2:
            guard values.count == 2, values[0] >= 1, values[0] <= buckets, values[1] >= 1 else { throw shape }
            self = .limited(now: now, bucket: Int(values[0]) - 1, retryAfterMs: values[1])
        default:
            throw shape
        }
    }
}
