extension BudgetState {
    /// What is left of each capped budget a reserved call counts against, by the budget's name
    /// (`budgets.calls`, `tools.echo.budget.cost`): the `budgets` of an audit record. Cost is in
    /// cost units, the rest in counts.
    public mutating func remaining(after reservation: BudgetReservation) -> JSONObject {
        var left = JSONObject()
        guard routes.indices.contains(reservation.route) else { return left }
        for slot in routes[reservation.route].slots {
            slots[slot].series.expire(now: latest, clock: clock)
            let used = slots[slot].series.total
            let caps = slots[slot].caps
            let scope = slots[slot].scope
            if let cap = caps.calls { left[scope.name(.calls)] = .number(String(cap - used.calls)) }
            if let cap = caps.cost { left[scope.name(.cost)] = .number(CostUnits(micros: cap.micros - used.cost).description) }
            if let cap = caps.resultTokens { left[scope.name(.resultTokens)] = .number(String(cap - used.resultTokens)) }
        }
        return left
    }
}
