/// Figures per tool from decision and outcome records (`tollgate audit summary`): calls allowed,
/// denied by code, would-be denials (monitor mode) by code, allowed calls whose client got a
/// denial in place of the answer (outcome records with a `code`: `timeout`, `result_too_large`,
/// `server_unavailable`) by code, total `cost`, total `outcome.tokens`, and the 50th and 99th
/// percentiles of `outcome.durationUs` (nearest rank: the smallest value with at least p % of
/// the values at or below it). Records of other events are counted but not tabled.
public struct AuditSummary: Sendable, Equatable {
    /// The figures of one tool (or of all, for the totals).
    public struct Row: Sendable, Equatable {
        /// The server, when records name one.
        public var server: String?
        /// The tool (empty for the totals).
        public var tool: String
        /// Calls allowed.
        public var allowed = 0
        /// Calls denied, by denial code.
        public var deniedByCode: [String: Int] = [:]
        /// Calls that monitor mode let through but enforce mode would deny, by code.
        public var wouldDenyByCode: [String: Int] = [:]
        /// Allowed calls that ended in a denial instead of the server's answer (a timeout, a
        /// withheld result, the server gone), by the code of their outcome record.
        public var outcomeByCode: [String: Int] = [:]
        /// The sum of `cost` over the tool's records.
        public var cost = AuditAmount.zero
        /// Whether any record had a `cost`.
        public var hasCost = false
        /// The sum of `outcome.tokens`.
        public var tokens = 0
        /// Every `outcome.durationUs`, in record order.
        public var durations: [Int] = []

        /// Creates an empty row.
        public init(server: String?, tool: String) {
            self.server = server
            self.tool = tool
        }

        /// Calls denied.
        public var denied: Int { deniedByCode.values.reduce(0, +) }
        /// Would-be denials.
        public var wouldDeny: Int { wouldDenyByCode.values.reduce(0, +) }
        /// The median duration in µs, nil without durations.
        public var p50: Int? { Self.percentile(50, of: durations) }
        /// The 99th percentile duration in µs, nil without durations.
        public var p99: Int? { Self.percentile(99, of: durations) }

        /// Nearest-rank percentile.
        static func percentile(_ p: Int, of values: [Int]) -> Int? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            let rank = (p * sorted.count + 99) / 100
            return sorted[max(rank, 1) - 1]
        }
    }

    /// One row per (server, tool), sorted by server then tool.
    public var rows: [Row]
    /// All decisions together.
    public var totals: Row
    /// Records read.
    public var records: Int
    /// Of which decisions.
    public var decisions: Int
    /// Lines that were not JSON objects (skipped).
    public var skippedLines: Int
    /// Records with an `event`: Tollgate's audit records among the JSON objects read.
    public var events = 0
    /// Only records from this time on were read (`--since`).
    public var since: AuditTimestamp?
    /// The verdict on the chain of the files read (nil when not checked).
    public var verification: AuditVerification?
    /// Denials, reasons, approvals, budget crossings, agents and workflows (see ``Review``).
    var review = Review()
}

extension AuditSummary.Row {
    /// Counts one decision record, or adds the figures (and the code) of an outcome record.
    mutating func add(_ record: AuditRecord) {
        let code = record.string(AuditRecord.Field.code) ?? "unknown"
        let isOutcome = record.string(AuditRecord.Field.event) == AuditRecord.Event.outcome.rawValue
        if isOutcome, let code = record.string(AuditRecord.Field.code) { outcomeByCode[code, default: 0] += 1 }
        switch isOutcome ? nil : record.string(AuditRecord.Field.decision) {
        case AuditRecord.Decision.allowed.rawValue: allowed += 1
        case AuditRecord.Decision.denied.rawValue: deniedByCode[code, default: 0] += 1
        case AuditRecord.Decision.wouldDeny.rawValue: wouldDenyByCode[code, default: 0] += 1
        default: break
        }
        if case .number(let text) = record[AuditRecord.Field.cost], let amount = AuditAmount(text) {
            cost = cost + amount
            hasCost = true
        }
        let outcome = record[AuditRecord.Field.outcome]
        if case .number(let text) = outcome?["tokens"], let value = Int(text) { tokens += value }
        if case .number(let text) = outcome?["durationUs"], let value = Int(text) { durations.append(value) }
    }
}
