extension BudgetState {
    /// What is left of each capped budget a reserved call counts against, by the budget's name
    /// (`budgets.calls`, `tools.echo.budget.cost`): the `budgets` of an audit record. Cost is in
    /// cost units, the rest in counts.
    public mutating func remaining(after reservation: BudgetReservation) -> JSONObject {
        var left = JSONObject()
        guard routes.indices.contains(reservation.route) else { return left }
        for slot in routes[reservation.route].slots {
            slots[slot].series.expire(now: latest, clock: clock)
            slots[slot].addRemaining(used: slots[slot].series.total, to: &left)
        }
        return left
    }
}

extension BudgetSlot {
    /// Adds what is left of each capped counter, given what is used, to `left` (by budget name).
    func addRemaining(used: BudgetUsage, to left: inout JSONObject) {
        if let cap = caps.calls { left[names.calls] = .number(String(cap - used.calls)) }
        if let cap = caps.cost { left[names.cost] = .number(CostUnits(micros: cap.micros - used.cost).description) }
        if let cap = caps.resultTokens { left[names.resultTokens] = .number(String(cap - used.resultTokens)) }
    }
}
