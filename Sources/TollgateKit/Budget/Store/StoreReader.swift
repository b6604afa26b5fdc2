/// Reads and resets budgets in the store for `tollgate budget show` and `tollgate budget reset`
/// (and ``StoreAccount/forecast(now:)``): keys are found with `SCAN` under the namespace, read
/// with `HGETALL` (pipelined), and deleted with `DEL`.
enum StoreReader {
    /// The most keys one command reads or resets.
    static let maxKeys = 1_000_000

    /// Every key of `kind` in the namespace.
    static func scan(_ client: StoreClient, keys: StoreKeys, kind: StoreKeys.Kind) throws(StoreError) -> [[UInt8]] {
        var cursor: [UInt8] = Array("0".utf8)
        var found: [[UInt8]] = []
        repeat {
            var command = RESPCommand()
            command.begin(count: 6)
            command.add("SCAN".utf8)
            command.add(cursor)
            command.add("MATCH".utf8)
            command.add(keys.pattern(kind))
            command.add("COUNT".utf8)
            command.add(1000)
            let reply = try client.send(command)[0]
            if let text = reply.errorText { throw StoreError(.refused, "the store refused SCAN: \(text)") }
            guard let parts = reply.elements, parts.count == 2, let next = parts[0].bytes, let names = parts[1].elements else {
                throw StoreError(.malformed, "the store's answer to SCAN has an unexpected shape")
            }
            for name in names { if let bytes = name.bytes { found.append(bytes) } }
            guard found.count <= maxKeys else { throw StoreError(.refused, "the namespace holds more than \(maxKeys) keys") }
            cursor = next
        } while !cursor.elementsEqual("0".utf8)
        return found
    }

    /// The server's time, in milliseconds since the epoch.
    static func time(_ client: StoreClient) throws(StoreError) -> Int64 {
        let reply = try client.send(RESPCommand(["TIME"]))[0]
        guard let parts = reply.elements, parts.count == 2, let seconds = parts[0].integer, let micros = parts[1].integer else {
            throw StoreError(.malformed, "the store's answer to TIME has an unexpected shape: \(reply.errorText ?? "")")
        }
        return seconds * 1000 + micros / 1000
    }

    /// The forecast of the budgets `limits` define, as the store holds them at its own time:
    /// the manifest's own scopes, and every other scope found (only the manifest's when
    /// `onlyConfigured`).
    static func forecast(client: StoreClient, keys: StoreKeys, limits: BudgetLimits, onlyConfigured: Bool) throws(StoreError) -> Forecast {
        let now = try time(client)
        var states = SpendScopeStates(limits: limits, now: now)
        let found = try scan(client, keys: keys, kind: .budget).compactMap { key -> (key: [UInt8], scope: String, budget: BudgetScope)? in
            guard let parsed = keys.parse(key) else { return nil }
            if onlyConfigured, !states.names.contains(where: { SpendScope.same($0, parsed.spendScope) }) { return nil }
            return (key, parsed.spendScope, parsed.budget)
        }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let width = SpendClock(window: limits.window).width
        for start in stride(from: 0, to: found.count, by: 256) {
            let chunk = found[start..<Swift.min(found.count, start + 256)]
            var commands = RESPCommand()
            for entry in chunk {
                commands.begin(count: 2)
                commands.add("HGETALL".utf8)
                commands.add(entry.key)
            }
            let replies = try client.send(commands)
            for (entry, reply) in zip(chunk, replies) {
                guard let fields = reply.elements else { continue }
                var total = BudgetUsage.zero
                var buckets: [Int64: BudgetUsage] = [:]
                for pair in stride(from: 0, to: fields.count - 1, by: 2) {
                    guard let name = fields[pair].bytes, let value = fields[pair + 1].integer, let counter = counter(name.first) else { continue }
                    if name.count == 1 {
                        total[counter] = value
                    } else if name.count > 2, name[1] == UInt8(ascii: ":"), let index = RESPParser.integer(name[2...]) {
                        buckets[index, default: .zero][counter] += value
                    }
                }
                var rest = total
                for (index, usage) in buckets.sorted(by: { $0.key < $1.key }) {
                    rest -= usage
                    states.add(usage, at: index * width, to: entry.budget, in: entry.scope)
                }
                if limits.window == nil, !rest.isZero { states.add(rest, at: 0, to: entry.budget, in: entry.scope) }
                if buckets.isEmpty, rest.isZero { states.add(.zero, at: now, to: entry.budget, in: entry.scope) }
            }
        }
        return Forecast(states.forecasts(now: now))
    }

    /// The counter a field's first letter names.
    private static func counter(_ letter: UInt8?) -> BudgetCounter? {
        switch letter {
        case UInt8(ascii: "c"): .calls
        case UInt8(ascii: "m"): .cost
        case UInt8(ascii: "r"): .resultTokens
        case UInt8(ascii: "s"): .samplingTokens
        default: nil
        }
    }

    /// Deletes the budgets and rate buckets of scope `spendScope` (only the budget `budget`, as
    /// `budget show` names it without the counter, when given); returns how many keys went.
    static func reset(client: StoreClient, keys: StoreKeys, spendScope: String, budget: String?) throws(StoreError) -> Int {
        var doomed: [[UInt8]] = []
        for kind in [StoreKeys.Kind.budget, .rate] {
            for key in try scan(client, keys: keys, kind: kind) {
                guard let parsed = keys.parse(key), SpendScope.same(parsed.spendScope, spendScope) else { continue }
                if let budget, !parsed.budget.description.hasSameScalars(as: budget) { continue }
                doomed.append(key)
            }
        }
        var removed = 0
        for start in stride(from: 0, to: doomed.count, by: 256) {
            var command = RESPCommand()
            let chunk = doomed[start..<Swift.min(doomed.count, start + 256)]
            command.begin(count: 1 + chunk.count)
            command.add("DEL".utf8)
            for key in chunk { command.add(key) }
            let reply = try client.send(command)[0]
            if let text = reply.errorText { throw StoreError(.refused, "the store refused DEL: \(text)") }
            removed += Int(reply.integer ?? 0)
        }
        return removed
    }
}
