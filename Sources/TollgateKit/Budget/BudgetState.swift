/// The budgets of one run, as a pure state machine: reserve a call before forwarding it, settle
/// it with its result's tokens when it ends, release it only if it was never sent. Time is
/// passed in (milliseconds since the Unix epoch, the wall clock: windows and a shared ledger
/// need a clock every process agrees on).
///
/// Every call counts against the overall budget (`budgets.*`) and against the budget of each
/// rule that decides it (shared by a glob's tools, or one per tool with `"per": "tool"`).
/// A reservation counts the call and its cost at once, so in-flight calls are never
/// forgotten; a call forwarded but never answered (the server went away, the call timed out)
/// stays counted. Releasing is for a call that never reached the server. Over-count, never
/// under-count.
///
/// Cost: a reservation is a dictionary lookup (the tool's route, cached) and a few integer
/// comparisons and additions per budget; nothing is allocated unless a threshold is crossed.
public struct BudgetState: Sendable {
    /// One way through the budgets: the tool, its rules, the slots it counts against.
    struct Route: Sendable {
        let tool: String?
        let ruleNames: [String]
        let slots: [Int]
        let cost: Int64
        let maxResultTokens: Int64?
    }

    /// The settings.
    public let limits: BudgetLimits
    let clock: SpendClock
    /// Slot 0 is the overall budget; rules with caps follow; per-tool slots are added on demand.
    var slots: [BudgetSlot]
    /// Route 0 is sampling (overall budget only).
    var routes: [Route]
    /// The newest time seen; windows expire relative to it.
    public private(set) var latest: Int64 = .min
    private var ruleSlots: [Int]
    private var toolSlots: [ToolSlotKey: Int] = [:]
    private var routeIndex: [RouteKey: Int] = [:]
    private let ruleIndex: [ProtocolName: Int]
    /// Whether some budget counts a scope other than `global` (events are then matched by scope).
    let isScoped: Bool

    /// The most per-tool budgets kept; further tools of a `"per": "tool"` rule share one
    /// overflow budget per rule (keeps memory bounded whatever names a client sends).
    public static let maxToolScopes = 4096
    /// The longest tool name with a route, per-tool budget or rate bucket of its own; longer
    /// names share the overflow ones (tool `*`).
    public static let maxToolNameBytes = 256
    /// The most routes kept (two per per-tool budget); calls of further tools share one route
    /// per set of rules (tool `*`).
    public static let maxRoutes = 2 * maxToolScopes

    /// Creates empty budgets for `limits`.
    public init(limits: BudgetLimits) {
        self.limits = limits
        clock = SpendClock(window: limits.window)
        isScoped = limits.isScoped
        slots = [BudgetSlot(scope: .overall, caps: limits.overall, spendScope: limits.spendScope)]
        var ruleSlots: [Int] = []
        var ruleIndex: [ProtocolName: Int] = [:]
        for (index, rule) in limits.rules.enumerated() {
            if ruleIndex[ProtocolName(rule.rule)] == nil { ruleIndex[ProtocolName(rule.rule)] = index }
            if rule.hasCaps && rule.per == .rule {
                ruleSlots.append(slots.count)
                slots.append(BudgetSlot(scope: .rule(rule.rule), caps: rule.caps, spendScope: limits.spendScope(rule: index)))
            } else {
                ruleSlots.append(-1)
            }
        }
        self.ruleSlots = ruleSlots
        self.ruleIndex = ruleIndex
        routes = [Route(tool: nil, ruleNames: [], slots: [0], cost: 0, maxResultTokens: nil)]
    }

    /// Reserves a call at `now`: refused if any budget it counts against cannot take one more
    /// call, its cost, or has no result tokens left (the overall budget is checked first).
    public mutating func reserve(_ call: BudgetCall, now: Int64) -> BudgetDecision {
        reserve(route: route(for: call), now: now)
    }

    /// Reserves a call on a known route (see ``route(for:)``).
    mutating func reserve(route index: Int, now: Int64) -> BudgetDecision {
        advance(to: now)
        let route = routes[index]
        let amount = BudgetUsage(calls: 1, cost: CostUnits(micros: route.cost))
        for slot in route.slots {
            slots[slot].series.expire(now: latest, clock: clock)
            if let refusal = slots[slot].refusal(amount, clock: clock) { return .exhausted(refusal, crossings: []) }
        }
        let crossings = apply(amount, at: now, route: index)
        let reservation = BudgetReservation(tool: route.tool ?? "", time: now, amount: amount,
                                            maxResultTokens: route.maxResultTokens, route: index)
        return .reserved(reservation, crossings: crossings)
    }

    /// Adds the result's estimated tokens to a reserved call (counted at `now`).
    public mutating func settle(_ reservation: BudgetReservation, resultTokens: Int64, now: Int64) -> [BudgetCrossing] {
        advance(to: now)
        guard resultTokens != 0 else { return [] }
        return apply(BudgetUsage(resultTokens: resultTokens), at: now, route: reservation.route)
    }

    /// Takes back a reservation whose call never reached the server (denied by a later check,
    /// or it could not be written). Never release a call that was forwarded, even if it was never
    /// answered: the server may have acted on it.
    public mutating func release(_ reservation: BudgetReservation, now: Int64) {
        advance(to: now)
        _ = apply(-reservation.amount, at: reservation.time, route: reservation.route)
    }

    /// Adds `amount` at `time` to every budget of a route; returns the levels crossed.
    @inline(__always)
    mutating func apply(_ amount: BudgetUsage, at time: Int64, route: Int) -> [BudgetCrossing] {
        apply(amount, at: time, slots: routes[route].slots)
    }

    /// Adds `amount` at `time` to each of `slots`; returns the levels crossed.
    @inline(__always)
    mutating func apply(_ amount: BudgetUsage, at time: Int64, slots indices: [Int]) -> [BudgetCrossing] {
        var crossings: [BudgetCrossing] = []
        for slot in indices {
            slots[slot].series.expire(now: latest, clock: clock)
            slots[slot].series.add(amount, at: time, now: latest, clock: clock)
            slots[slot].forgetCrossings(after: amount)
            slots[slot].collectCrossings(into: &crossings)
        }
        return crossings
    }

    /// Advances the state's clock (windows expire relative to the newest time seen).
    public mutating func advance(to now: Int64) {
        if now > latest { latest = now }
    }

    /// What a budget has used at `now` (zero for a budget never used).
    public mutating func usage(_ scope: BudgetScope, now: Int64) -> BudgetUsage {
        advance(to: now)
        guard let index = slots.firstIndex(where: { $0.scope == scope }) else { return .zero }
        slots[index].series.expire(now: latest, clock: clock)
        return slots[index].series.total
    }

    /// Every budget kept, overall first.
    public var scopes: [BudgetScope] { slots.map(\.scope) }

    /// Forgets all spend but keeps which threshold crossings were reported (a ledger replays
    /// its compacted file into a reset state).
    public mutating func resetSpend() {
        for index in slots.indices { slots[index].series.reset() }
    }
}

extension BudgetState {
    /// A key of per-tool budgets: the rule and the tool (nil: the rule's overflow budget).
    struct ToolSlotKey: Hashable, Sendable {
        let rule: Int
        let tool: ProtocolName?
    }

    /// A key of routes: the tool (nil: sampling) and its rules.
    struct RouteKey: Hashable, Sendable {
        let tool: ProtocolName?
        let rules: [Int]
    }

    /// The route of a call (created on first use; past ``maxRoutes`` routes, or for a name over
    /// ``maxToolNameBytes``, the overflow route of its rules).
    mutating func route(for call: BudgetCall) -> Int {
        let named = call.tool.utf8.count <= Self.maxToolNameBytes && !Self.isOverflowName(call.tool)
        if named, let index = routeIndex[RouteKey(tool: ProtocolName(call.tool), rules: call.rules)] { return index }
        let ownRoute = named && routes.count < Self.maxRoutes
        let key = RouteKey(tool: ownRoute ? ProtocolName(call.tool) : nil, rules: call.rules)
        if let index = routeIndex[key] { return index }
        let tool = ownRoute ? call.tool : Self.overflowName
        var slotList = [0]
        var ruleNames: [String] = []
        precondition(call.rules.allSatisfy { limits.rules.indices.contains($0) }, "BudgetCall.rules must index BudgetLimits.rules")
        for rule in call.rules where !ruleNames.contains(limits.rules[rule].rule) {
            let budget = limits.rules[rule]
            ruleNames.append(budget.rule)
            guard budget.hasCaps else { continue }
            slotList.append(budget.per == .rule ? ruleSlots[rule] : toolSlot(rule: rule, tool: tool))
        }
        routes.append(Route(tool: tool, ruleNames: ruleNames, slots: slotList,
                            cost: limits.cost(rules: call.rules).micros,
                            maxResultTokens: limits.maxResultTokens(rules: call.rules)))
        routeIndex[key] = routes.count - 1
        return routes.count - 1
    }

    /// The route of an event read from a ledger: rules are named; unknown names are ignored.
    mutating func route(tool: String?, ruleNames: [String]) -> Int {
        guard let tool else { return 0 }
        return route(for: BudgetCall(tool: tool, rules: ruleNames.compactMap { ruleIndex[ProtocolName($0)] }))
    }

    /// The slot of `scope` under these limits (a per-tool one created), or nil when these limits
    /// keep no such budget.
    mutating func slot(for scope: BudgetScope) -> Int? {
        switch scope {
        case .overall:
            return 0
        case .rule(let name):
            guard let rule = ruleIndex[ProtocolName(name)], ruleSlots[rule] >= 0 else { return nil }
            return ruleSlots[rule]
        case .tool(let name, let tool):
            guard let rule = ruleIndex[ProtocolName(name)], limits.rules[rule].hasCaps, limits.rules[rule].per == .tool, !tool.hasSameScalars(as: "*") else { return nil }
            return toolSlot(rule: rule, tool: tool)
        }
    }

    /// The name overflow routes and budgets are kept under.
    static let overflowName = "*"

    /// Whether `tool` is ``overflowName``.
    static func isOverflowName(_ tool: String) -> Bool { tool.utf8.elementsEqual(overflowName.utf8) }

    /// The per-tool budget of `tool` under a `"per": "tool"` rule.
    private mutating func toolSlot(rule: Int, tool: String) -> Int {
        var key = ToolSlotKey(rule: rule, tool: ProtocolName(tool))
        if let slot = toolSlots[key] { return slot }
        let name = limits.rules[rule].rule
        var scope = BudgetScope.tool(rule: name, tool: tool)
        if toolSlots.count >= Self.maxToolScopes || tool.utf8.count > Self.maxToolNameBytes || Self.isOverflowName(tool) {
            key = ToolSlotKey(rule: rule, tool: nil)
            if let slot = toolSlots[key] { return slot }
            scope = .tool(rule: name, tool: "*")
        }
        slots.append(BudgetSlot(scope: scope, caps: limits.rules[rule].caps, spendScope: limits.spendScope(rule: rule)))
        toolSlots[key] = slots.count - 1
        return slots.count - 1
    }

    /// Applies an event read from a ledger (or any history): its amount counts against the
    /// budgets its tool and rules reach under these limits whose scope it was spent in.
    public mutating func apply(_ event: SpendEvent) -> [BudgetCrossing] {
        apply(event.amount, at: event.time, slots: slots(of: event))
    }

    /// The slots an event counts against: those its tool and rules reach whose scope it was spent in.
    mutating func slots(of event: SpendEvent) -> [Int] {
        let route = route(tool: event.tool, ruleNames: event.rules)
        guard isScoped || !event.spendScopes.isEmpty else { return routes[route].slots }
        return routes[route].slots.filter { slot in
            SpendScope.same(slots[slot].spendScope, event.spendScope(of: slots[slot].scope))
        }
    }

    /// The event a change on a route records in a ledger (with the scope of each of its budgets,
    /// unless all are global).
    func event(_ amount: BudgetUsage, at time: Int64, route: Int) -> SpendEvent {
        let names = routes[route].ruleNames
        var event = SpendEvent(time: time, tool: routes[route].tool, rules: names, amount: amount)
        if isScoped {
            event.spendScopes = [limits.spendScope] + names.map { name in
                ruleIndex[ProtocolName(name)].map { limits.spendScope(rule: $0) } ?? limits.spendScope
            }
        }
        return event
    }
}
