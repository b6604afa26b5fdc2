/// Metrics as an `ExportMetricsServiceRequest`: cumulative sums and histograms, and gauges.
extension OTLPWriter {
    /// `AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE`.
    static let cumulative = 2

    /// Appends the request for every metric of `metrics` at `now` (wall nanoseconds).
    mutating func metrics(_ metrics: MetricsAggregator, now: Int64, resource: [OTLPAttribute], scope: TelemetryScope) {
        raw(#"{"resourceMetrics":["#)
        openResource(resource, list: "scopeMetrics", scope: scope)
        raw(#""metrics":["#)
        var first = true
        func next(_ writer: inout OTLPWriter) {
            if !first { writer.raw(",") }
            first = false
        }
        if !metrics.durations.isEmpty {
            next(&self)
            durations(metrics, now: now)
        }
        if !metrics.decisions.isEmpty {
            next(&self)
            let points = metrics.decisions.map { key, count in
                (Self.decisionAttributes(key), count)
            }
            sum(name: "tollgate.decisions", unit: "{call}", description: "Calls decided, by tool, decision and denial code", points, metrics: metrics, now: now)
        }
        for counter in TelemetryCounter.allCases {
            next(&self)
            sum(name: counter.rawValue, unit: "{event}", description: counter.summary, [([], metrics.counters[counter] ?? 0)], metrics: metrics, now: now)
        }
        if !metrics.drops.isEmpty {
            next(&self)
            let points = metrics.drops.map { key, count in
                ([OTLPAttribute("tollgate.telemetry.signal", key.signal), OTLPAttribute("tollgate.telemetry.reason", key.reason.rawValue)], count)
            }
            sum(name: "tollgate.telemetry.dropped", unit: "{item}", description: "Spans, metrics, log records and events telemetry dropped", points,
                metrics: metrics, now: now)
        }
        if let forecast = metrics.budgets, !forecast.rows.isEmpty {
            next(&self)
            budgets(forecast, now: now)
        }
        raw("]")
        closeResource()
        raw("]}")
    }

    /// The attributes of a decision counter's series.
    static func decisionAttributes(_ key: MetricsAggregator.DecisionKey) -> [OTLPAttribute] {
        var attributes = [OTLPAttribute("gen_ai.tool.name", key.tool.text), OTLPAttribute("tollgate.decision", key.decision.rawValue)]
        if let code = key.code { attributes.append(OTLPAttribute("tollgate.denial.code", code)) }
        return attributes
    }

    /// The attributes of a duration histogram's series.
    static func durationAttributes(_ key: MetricsAggregator.DurationKey) -> [OTLPAttribute] {
        var attributes = [OTLPAttribute("mcp.method.name", key.method)]
        if let tool = key.tool {
            attributes.append(OTLPAttribute("gen_ai.tool.name", tool.text))
            attributes.append(OTLPAttribute("gen_ai.operation.name", "execute_tool"))
        }
        attributes.append(OTLPAttribute("network.transport", "pipe"))
        attributes.append(OTLPAttribute("tollgate.decision", key.decision.rawValue))
        if let errorType = key.errorType { attributes.append(OTLPAttribute("error.type", errorType)) }
        if let statusCode = key.statusCode { attributes.append(OTLPAttribute("rpc.response.status_code", statusCode)) }
        return attributes
    }

    private mutating func metricHead(name: String, unit: String, description: String) {
        raw(#"{"name":"#)
        string(name)
        raw(#","description":"#)
        string(description)
        raw(#","unit":"#)
        string(unit)
        raw(",")
    }

    private mutating func durations(_ metrics: MetricsAggregator, now: Int64) {
        metricHead(name: "mcp.server.operation.duration", unit: "s",
                   description: "MCP request duration as observed by Tollgate, from the request's arrival until its answer")
        raw(#""histogram":{"dataPoints":["#)
        for (index, (key, histogram)) in metrics.durations.enumerated() {
            if index > 0 { raw(",") }
            raw("{")
            pointTimes(start: metrics.start, now: now)
            attributes(Self.durationAttributes(key))
            raw(#","count":"#)
            uint64(histogram.count)
            raw(#","sum":"#)
            double(histogram.sum)
            raw(#","bucketCounts":["#)
            for (position, count) in histogram.bucketCounts.enumerated() {
                if position > 0 { raw(",") }
                uint64(count)
            }
            raw(#"],"explicitBounds":["#)
            for (position, bound) in histogram.bounds.enumerated() {
                if position > 0 { raw(",") }
                double(bound)
            }
            raw("]")
            if histogram.count > 0 {
                raw(#","min":"#)
                double(histogram.min)
                raw(#","max":"#)
                double(histogram.max)
            }
            raw("}")
        }
        raw(#"],"aggregationTemporality":"#)
        int(Self.cumulative)
        raw("}}")
    }

    private mutating func sum(name: String, unit: String, description: String, _ points: [([OTLPAttribute], UInt64)],
                              metrics: MetricsAggregator, now: Int64) {
        metricHead(name: name, unit: unit, description: description)
        raw(#""sum":{"dataPoints":["#)
        for (index, (attributes, count)) in points.enumerated() {
            if index > 0 { raw(",") }
            raw("{")
            pointTimes(start: metrics.start, now: now)
            self.attributes(attributes)
            raw(#","asInt":"#)
            int64(Int64(clamping: count))
            raw("}")
        }
        raw(#"],"aggregationTemporality":"#)
        int(Self.cumulative)
        raw(#","isMonotonic":true}}"#)
    }

    private mutating func pointTimes(start: Int64, now: Int64) {
        raw(#""startTimeUnixNano":"#)
        int64(start)
        raw(#","timeUnixNano":"#)
        int64(now)
    }

    /// The budgets' gauges: used, cap and burn rate of every counter of every budget kept.
    private mutating func budgets(_ forecast: Forecast, now: Int64) {
        let gauges: [(name: String, unit: String, description: String, value: (Forecast.Row) -> Double?)] = [
            ("tollgate.budget.used", "{unit}", "What a budget has used (cost in cost units, the rest in counts)", { Self.units($0.used, $0.counter) }),
            ("tollgate.budget.cap", "{unit}", "A budget's cap", { row in row.cap.map { Self.units($0, row.counter) } }),
            ("tollgate.budget.burn_rate", "{unit}/h", "What a budget spends per hour, over its window or the last hour", { $0.ratePerHour }),
        ]
        for (index, gauge) in gauges.enumerated() {
            if index > 0 { raw(",") }
            metricHead(name: gauge.name, unit: gauge.unit, description: gauge.description)
            raw(#""gauge":{"dataPoints":["#)
            var first = true
            for row in forecast.rows {
                guard let value = gauge.value(row) else { continue }
                if !first { raw(",") }
                first = false
                raw(#"{"timeUnixNano":"#)
                int64(now)
                attributes([OTLPAttribute("tollgate.budget.name", row.budget), OTLPAttribute("tollgate.budget.scope", row.scope.description),
                            OTLPAttribute("tollgate.budget.counter", row.counter.description)])
                raw(#","asDouble":"#)
                double(value)
                raw("}")
            }
            raw("]}}")
        }
    }

    /// A raw budget amount in its counter's units (cost is kept in millionths).
    static func units(_ raw: Int64, _ counter: BudgetCounter) -> Double {
        counter == .cost ? Double(raw) / Double(CostUnits.scale) : Double(raw)
    }
}

extension TelemetryCounter {
    /// The counter's description.
    var summary: String {
        switch self {
        case .reload: "Manifest reloads taken over"
        case .restart: "Servers started again after they ended"
        case .auditFailure: "Audit records that could not be written"
        case .ledgerFailure: "Times the budget ledger could not be used"
        case .droppedResponse: "Responses dropped because no request in flight awaited them"
        }
    }
}
