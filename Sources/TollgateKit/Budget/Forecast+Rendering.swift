extension Forecast {
    /// The forecast as a text table for people (`tollgate budget show`).
    public func text() -> String {
        let period = window.map { "burn rate (\($0))" } ?? "burn rate (1h)"
        // A scope column once some budget counts a scope other than the global one.
        let scoped = rows.contains { !SpendScope.isGlobal($0.spendScope) }
        var table: [[String]] = [(scoped ? ["scope"] : []) + ["budget", "used", "cap", period, "runs out"]]
        for row in rows {
            let cap = row.cap.map { row.counter.format($0) } ?? "-"
            let percent = row.cap.map { $0 > 0 ? " (\(Self.decimal(Double(row.used) * 100 / Double($0), places: 0))%)" : "" } ?? ""
            table.append((scoped ? [row.spendScope] : []) + [row.budget, row.counter.format(row.used) + percent, cap,
                          "\(Self.decimal(row.ratePerHour, places: 2))/h", outlookText(row.outlook)])
        }
        let columns = table[0].count
        var widths = [Int](repeating: 0, count: columns)
        for line in table { for (column, cell) in line.enumerated() { widths[column] = Swift.max(widths[column], cell.count) } }
        var text = "budgets at \(UTCTime.iso8601(milliseconds: now))" + (window.map { ", rolling window \($0)" } ?? "") + "\n"
        for line in table {
            var cells: [String] = []
            for (column, cell) in line.enumerated() {
                cells.append(column == columns - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count))
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        return text
    }

    /// The forecast as JSON (`tollgate budget show --json`): `now`, `nowMs`, `window`,
    /// `ratePeriodMs` and `budgets`, one object per row with `budget`, `scope` (the budget's
    /// place in the manifest), `spendScope` (whose spend: `global`, `agent:alice`), `counter`,
    /// `used`, `cap` (null: uncapped), `recent`, `ratePerHour`, `runsOut` (`"exhausted"`,
    /// `"never"`, an ISO 8601 time, or null when uncapped) and `runsOutMs` (when a time).
    public func json() -> JSONValue {
        var object = JSONObject()
        object["now"] = .string(UTCTime.iso8601(milliseconds: now))
        object["nowMs"] = .number(String(now))
        object["window"] = window.map { .string($0.description) } ?? .null
        object["ratePeriodMs"] = .number(String(ratePeriodMs))
        object["budgets"] = .array(rows.map { row in
            var entry = JSONObject()
            entry["budget"] = .string(row.budget)
            entry["scope"] = .string(row.scope.description)
            entry["spendScope"] = .string(row.spendScope)
            entry["counter"] = .string(row.counter.description)
            entry["used"] = row.counter.json(row.used)
            entry["cap"] = row.cap.map { row.counter.json($0) } ?? .null
            entry["recent"] = row.counter.json(row.recent)
            entry["ratePerHour"] = .number(Self.decimal(row.ratePerHour, places: 6))
            switch row.outlook {
            case .exhausted: entry["runsOut"] = "exhausted"
            case .never: entry["runsOut"] = "never"
            case .uncapped: entry["runsOut"] = .null
            case .at(let time):
                entry["runsOut"] = .string(UTCTime.iso8601(milliseconds: time))
                entry["runsOutMs"] = .number(String(time))
            }
            return .object(entry)
        })
        return .object(object)
    }

    private func outlookText(_ outlook: Outlook) -> String {
        switch outlook {
        case .exhausted: "exhausted"
        case .never: "never"
        case .uncapped: "-"
        case .at(let time): "\(UTCTime.iso8601(milliseconds: time)) (in \(Self.duration(time - now)))"
        }
    }

    /// `1d2h`, `3h05m`, `12m`, `40s`.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = (milliseconds + 999) / 1000
        if seconds < 60 { return "\(seconds)s" }
        let minutes = (seconds + 59) / 60
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 1440 { return "\(minutes / 60)h" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)m" }
        return "\(minutes / 1440)d\(minutes % 1440 / 60)h"
    }

    /// A non-negative number with at most `places` decimals, trailing zeros dropped (`2.5`, `30`).
    package static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let whole = scaled / scale
        var text = String(whole)
        if places > 0 {
            var fraction = String(scaled % scale)
            fraction = String(repeating: "0", count: places - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }  // not a protocol name
            if !fraction.isEmpty { text += "." + fraction }
        }
        return value < 0 && scaled != 0 ? "-" + text : text
    }
}
