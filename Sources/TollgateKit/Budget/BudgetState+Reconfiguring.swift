/// New budget settings while calls run (a reloaded manifest): what was spent stays spent, budget
/// by budget, and the reservations of calls in flight settle into the new budgets.
extension BudgetState {
    /// Takes `limits` in place of the current settings, keeping what each budget that stays (the
    /// overall one, a rule's, a tool's under a rule, matched by name) has counted; a budget the
    /// new settings drop is forgotten, a new one starts empty. Returns `reservations` (made under
    /// the old settings) as they settle under the new ones, or nil, changing nothing, when the
    /// window changed (spend counted per window cannot move to another).
    public mutating func reconfigure(to limits: BudgetLimits, carrying reservations: [BudgetReservation]) -> [BudgetReservation]? {
        guard limits.window == self.limits.window else { return nil }
        var state = BudgetState(limits: limits)
        state.advance(to: latest)
        for slot in slots {
            guard let index = state.slot(for: slot.scope), SpendScope.same(state.slots[index].spendScope, slot.spendScope) else { continue }
            state.slots[index].series = slot.series
            state.slots[index].reported = slot.reported
        }
        let carried = reservations.map { reservation in
            let old = routes[reservation.route]
            let route = state.route(tool: old.tool, ruleNames: old.ruleNames)
            return BudgetReservation(tool: reservation.tool, time: reservation.time, amount: reservation.amount,
                                     maxResultTokens: state.routes[route].maxResultTokens, route: route)
        }
        self = state
        return carried
    }
}
