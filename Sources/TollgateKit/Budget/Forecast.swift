/// Where each budget stands and where it is heading, at one moment (`tollgate budget show`):
/// used / cap, the burn rate over the last window (the last hour without a window), and when the
/// cap will be reached if spending goes on at that rate. Pure: computed from spend events or a
/// ``BudgetState``, with `now` passed in.
///
/// The burn rate is what was spent in the buckets that end within the last period, divided by
/// the period. The run-out time without a window is `now + (cap - used) / rate`. With a rolling
/// window, old spend leaves as new spend arrives, so the projection is
/// `usage(now + Δ) = spend still inside the window at now + Δ + rate × min(Δ, window)`, solved
/// bucket by bucket: a budget whose steady state (rate × window) stays under its cap never runs
/// out. Both are exact integer arithmetic, rounded up to the millisecond.
public struct Forecast: Sendable, Hashable {
    /// When a budget runs out.
    public enum Outlook: Sendable, Hashable {
        /// It is used up now.
        case exhausted
        /// At this time (milliseconds since the epoch), at the current burn rate.
        case at(Int64)
        /// Not at the current burn rate.
        case never
        /// Nothing caps this counter (shown for information).
        case uncapped
    }

    /// One counter of one budget.
    public struct Row: Sendable, Hashable {
        /// Whose budget.
        public var scope: BudgetScope
        /// Whose spend it counts (see ``SpendScope``): `global`, `agent:alice`.
        public var spendScope: String = SpendScope.globalName
        /// Which counter.
        public var counter: BudgetCounter
        /// Used now (raw units: cost in millionths).
        public var used: Int64
        /// The cap, if any.
        public var cap: Int64?
        /// Spent during the burn-rate period (raw units).
        public var recent: Int64
        /// The burn rate in the counter's units per hour (cost in units).
        public var ratePerHour: Double
        /// When it runs out.
        public var outlook: Outlook

        /// The budget's name, e.g. `budgets.calls`.
        public var budget: String { scope.name(counter) }
    }

    /// The moment of the forecast.
    public var now: Int64
    /// The rolling window, if budgets have one.
    public var window: BudgetWindow?
    /// The period the burn rate is measured over: the window, or one hour.
    public var ratePeriodMs: Int64
    /// Every capped counter of every budget kept, overall first, plus the overall budget's
    /// uncapped counters that were used.
    public var rows: [Row]

    /// The forecast of `events` read through `limits` (for example a ledger's events), scope by
    /// scope: the budgets of the scopes `limits` name, and those of every other scope the events
    /// were spent in. An empty scope name in `limits` stands for a scope not known here.
    public init(limits: BudgetLimits, events: [SpendEvent], now: Int64) {
        var states = SpendScopeStates(limits: limits, now: now)
        for event in events {
            if event.spendScopes.isEmpty {
                states.apply(event, in: SpendScope.globalName)
            } else {
                var seen: [String] = []
                for name in event.spendScopes where !seen.contains(where: { SpendScope.same($0, name) }) {
                    seen.append(name)
                    states.apply(event, in: name)
                }
            }
        }
        self.init(states.forecasts(now: now))
    }

    /// The forecast of a state.
    public init(state: BudgetState, now: Int64) {
        self.init(state: state, now: now) { _ in true }
    }

    /// The forecast of the budgets of a state whose slots `including` accepts (by index).
    init(state: BudgetState, now: Int64, including: (Int) -> Bool) {
        var state = state
        state.advance(to: now)
        self.now = now
        window = state.limits.window
        let clock = state.clock
        ratePeriodMs = clock.retention
        rows = []
        for index in state.slots.indices where including(index) {
            state.slots[index].series.expire(now: state.latest, clock: clock)
            let slot = state.slots[index]
            let recent = slot.series.spent(endingAfter: now - ratePeriodMs, clock: clock)
            for counter in BudgetCounter.allCases {
                let cap = slot.caps[counter]
                let used = slot.series.total[counter]
                guard cap != nil || (index == 0 && (used != 0 || counter == .calls)) else { continue }
                let perMs = Double(recent[counter]) / Double(ratePeriodMs)
                let scale = counter == .cost ? Double(CostUnits.scale) : 1
                var row = Row(scope: slot.scope, spendScope: slot.spendScope, counter: counter, used: used, cap: cap, recent: recent[counter],
                              ratePerHour: perMs * 3_600_000 / scale, outlook: .uncapped)
                if let cap {
                    row.outlook = Self.outlook(slot.series, counter, used: used, cap: cap, recent: recent[counter],
                                               period: ratePeriodMs, now: now, clock: clock)
                }
                rows.append(row)
            }
        }
    }

    /// The rows of several forecasts of one moment, in order (the first's window and period).
    init(_ parts: [Forecast]) {
        now = parts.first?.now ?? 0
        window = parts.first?.window
        ratePeriodMs = parts.first?.ratePeriodMs ?? 3_600_000
        rows = parts.flatMap(\.rows)
    }

    /// The forecast with only the rows of the scope named `spendScope`.
    public func only(spendScope: String) -> Forecast {
        var forecast = self
        forecast.rows = rows.filter { SpendScope.same($0.spendScope, spendScope) }
        return forecast
    }

    /// When `used` reaches `cap` if `recent` more is spent every `period` milliseconds, in exact
    /// integer arithmetic (the crossing is rounded up to the next millisecond).
    static func outlook(_ series: SpendSeries, _ counter: BudgetCounter, used: Int64, cap: Int64, recent: Int64,
                        period: Int64, now: Int64, clock: SpendClock) -> Outlook {
        if used >= cap { return .exhausted }
        guard recent > 0 else { return .never }
        /// Milliseconds until `inside + recent × Δ / period` reaches the cap.
        func reach(_ inside: Int128) -> Int128 {
            let numerator = (Int128(cap) - inside) * Int128(period)
            return (numerator + Int128(recent) - 1) / Int128(recent)
        }
        func at(_ delta: Int128) -> Outlook {
            delta > Int128(Int64.max - now) ? .never : .at(now + Int64(delta))
        }
        guard let window = clock.window else { return at(reach(Int128(used))) }
        // Breakpoints: when each kept bucket leaves the window, and when the projection saturates.
        var expiries = series.buckets.map { (time: ($0.index + 1) * clock.width + window, amount: $0.usage[counter]) }
        expiries.append((now + window, 0))
        expiries.sort { $0.time < $1.time }
        var inside = Int128(used)
        for (time, amount) in expiries where time > now {
            let elapsed = Int128(Swift.min(time - now, window))
            if inside * Int128(period) + Int128(recent) * elapsed >= Int128(cap) * Int128(period) {
                return at(reach(inside))
            }
            inside -= Int128(amount)
        }
        return .never
    }
}
