extension AuditSummary {
    /// A name and how often it came up.
    public struct Tally: Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    /// A denial reason and how often calls were denied with it.
    public struct Reason: Sendable, Equatable {
        public var code: String
        public var reason: String
        public var count: Int
    }

    /// How held calls' approvals ended (`approval` records).
    public struct Approvals: Sendable, Equatable {
        /// Approved (by the client's person or the approver command).
        public var granted = 0
        /// Refused: declined, an approver's non-zero exit, nobody to ask, cancelled or abandoned.
        public var denied = 0
        /// Nobody answered in time.
        public var timedOut = 0
        /// Every approval by who decided (`client`, `command`, `timeout`, `none`, `cancelled`, `abandoned`).
        public var byWho: [Tally] = []

        /// All approvals recorded.
        public var total: Int { granted + denied + timedOut }
    }

    /// A budget crossing a threshold (`budget` records), counted per budget and percent.
    public struct Crossing: Sendable, Equatable {
        public var budget: String
        public var counter: String
        public var percent: Int
        /// How often it was crossed (each window, run or reload may cross it again).
        public var count: Int
        /// `used` and `cap` of the last crossing, as recorded.
        public var used: JSONValue?
        public var cap: JSONValue?
        /// The last crossing's `time`.
        public var lastTime: String?
    }

    /// What `audit summary` adds for human review, gathered from every record: denials by code
    /// and by tool (decisions denied, and allowed calls whose client got a denial in place of the
    /// answer), the most frequent reasons, approvals, budget crossings, and figures per agent and
    /// per workflow when records name them. Names are kept apart by their bytes.
    struct Review: Sendable, Equatable {
        var codes = ByteTally()
        var tools = ByteTally()
        var reasons = ByteTally()
        var approvals = Approvals()
        var approvers = ByteTally()
        var crossings: [[UInt8]: Crossing] = [:]
        var agents: [[UInt8]: Row] = [:]
        var workflows: [[UInt8]: Row] = [:]

        /// Counts one record.
        mutating func add(_ record: AuditRecord) {
            let event = record.string(AuditRecord.Field.event)
            switch event {
            case AuditRecord.Event.decision.rawValue, AuditRecord.Event.outcome.rawValue:
                addCall(record, isOutcome: event == AuditRecord.Event.outcome.rawValue)
            case AuditRecord.Event.approval.rawValue:
                let by = record.string("by") ?? "?"
                approvers.add(by)
                if record["approved"] == .bool(true) {
                    approvals.granted += 1
                } else if by.hasSameScalars(as: "timeout") {
                    approvals.timedOut += 1
                } else {
                    approvals.denied += 1
                }
            case AuditRecord.Event.budget.rawValue:
                addCrossing(record)
            default:
                break
            }
        }

        private mutating func addCall(_ record: AuditRecord, isOutcome: Bool) {
            let tool = record.string(AuditRecord.Field.tool) ?? ""
            if let code = record.string(AuditRecord.Field.code), isOutcome || record.string(AuditRecord.Field.decision) == AuditRecord.Decision.denied.rawValue {
                codes.add(code)
                tools.add(record.string(AuditRecord.Field.server).map { "\($0)/\(tool)" } ?? tool)
                if let reason = record.string(AuditRecord.Field.reason) { reasons.add(code + "\u{0}" + reason) }
            }
            if let agent = record.string(AuditRecord.Field.agent) { agents[Array(agent.utf8), default: Row(server: nil, tool: agent)].add(record) }
            if let workflow = record.string(AuditRecord.Field.workflow) {
                workflows[Array(workflow.utf8), default: Row(server: nil, tool: workflow)].add(record)
            }
        }

        private mutating func addCrossing(_ record: AuditRecord) {
            guard let budget = record.string("budget"), case .number(let percentText)? = record["percent"], let percent = Int(percentText) else { return }
            let key = Array(budget.utf8) + [0] + Array(percentText.utf8)
            var crossing = crossings[key] ?? Crossing(budget: budget, counter: record.string("counter") ?? "", percent: percent, count: 0)
            crossing.count += 1
            crossing.used = record["used"]
            crossing.cap = record["cap"]
            crossing.lastTime = record.string(AuditRecord.Field.time)
            crossings[key] = crossing
        }

        /// The figures, sorted: most frequent first, then by the names' bytes.
        var denialsByCode: [Tally] { codes.sorted() }
        var denialsByTool: [Tally] { tools.sorted() }
        /// The five most frequent reasons.
        var topReasons: [Reason] {
            reasons.sorted().prefix(5).map { tally in
                let parts = tally.name.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                return Reason(code: String(parts[0]), reason: parts.count > 1 ? String(parts[1]) : "", count: tally.count)
            }
        }
        var approvalFigures: Approvals {
            var figures = approvals
            figures.byWho = approvers.sorted()
            return figures
        }
        var budgetCrossings: [Crossing] {
            crossings.values.sorted { a, b in
                a.budget.hasSameScalars(as: b.budget) ? a.percent < b.percent : AuditRecord.utf8Precedes(a.budget, b.budget)
            }
        }
        var agentRows: [Row] { agents.values.sorted { AuditRecord.utf8Precedes($0.tool, $1.tool) } }
        var workflowRows: [Row] { workflows.values.sorted { AuditRecord.utf8Precedes($0.tool, $1.tool) } }
    }

    /// Counts of names, kept apart by their bytes.
    struct ByteTally: Sendable, Equatable {
        private var counts: [[UInt8]: Tally] = [:]

        mutating func add(_ name: String) {
            counts[Array(name.utf8), default: Tally(name: name, count: 0)].count += 1
        }

        /// Most frequent first, then by the names' bytes.
        func sorted() -> [Tally] {
            counts.values.sorted { $0.count != $1.count ? $0.count > $1.count : AuditRecord.utf8Precedes($0.name, $1.name) }
        }
    }
}
