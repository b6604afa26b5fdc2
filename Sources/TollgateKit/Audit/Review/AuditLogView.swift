/// What `tollgate audit log` shows, from the log's lines in order: one ``AuditLogEntry`` per
/// `decision` record that passes the filter, joined with its `outcome` record (same `run` and
/// `id`) and the `approval` record just before it, in the order the decisions were made. A
/// state machine without I/O: lines go in, calls to show come out.
///
/// A forwarded call is shown once its outcome was read, so calls decided after it wait for it;
/// a call waits at most until ``release(readBefore:)`` lets it go (when following a live log),
/// ``holdLimit`` later calls are waiting behind it, or ``finish()``. A call let go without its
/// outcome is shown as it is, and the outcome, when it comes, as ``Output/outcome(_:)``.
public struct AuditLogView: Sendable {
    /// What to show.
    public enum Output: Sendable {
        /// A call (without its outcome when it was let go before the outcome was read).
        case call(AuditLogEntry)
        /// The outcome of a call shown before without it (the entry now has both).
        case outcome(AuditLogEntry)
    }

    /// A call in decision order, waiting for its outcome or for the calls before it.
    private struct Slot: Sendable {
        var entry: AuditLogEntry
        var key: [UInt8]?
        /// When the line was read (the caller's clock, milliseconds).
        var readAt: Int64
        /// Its outcome was read, or none is to come.
        var complete: Bool
        /// Let go before its outcome was read.
        var released = false
    }

    /// A call shown (or passed over) before its outcome was read.
    private struct Early: Sendable {
        var entry: AuditLogEntry
        var shown: Bool
    }

    /// Which calls are shown.
    public let filter: AuditFilter
    /// The most calls kept waiting behind one whose outcome was not read yet.
    public let holdLimit: Int
    /// Lines that were not JSON objects.
    public private(set) var skippedLines = 0

    private var queue: [Slot] = []
    private var head = 0
    /// The absolute number of `queue[0]` (slots dropped from the front so far).
    private var base = 0
    /// The slot (absolute number) of each call waiting for its outcome, by run and id.
    private var waiting: [[UInt8]: Int] = [:]
    /// Calls let go before their outcome, by run and id, oldest first in ``earlyOrder``.
    private var early: [[UInt8]: Early] = [:]
    private var earlyOrder: [[UInt8]] = []
    private var earlyHead = 0
    /// The last `approval` record of each run, for the decision that follows it.
    private var approvals: [[UInt8]: AuditLogEntry.Recorded] = [:]

    /// A view showing the calls `filter` admits.
    public init(filter: AuditFilter = AuditFilter(), holdLimit: Int = 10_000) {
        self.filter = filter
        self.holdLimit = max(1, holdLimit)
    }

    /// Reads one line of the log (without its newline); `readAt` is when (milliseconds, any clock
    /// that ``release(readBefore:)`` uses too). Returns the calls now ready to show, in order.
    public mutating func add(line: [UInt8], location: String, readAt: Int64 = 0) -> [Output] {
        guard let object = line.withUnsafeBytes({ try? JSONValue.parse($0) })?.objectValue else {
            skippedLines += 1
            return []
        }
        let record = AuditRecord(object)
        let run = record.string(AuditRecord.Field.run).map { Array($0.utf8) }
        switch record.string(AuditRecord.Field.event) {
        case AuditRecord.Event.approval.rawValue:
            if let run {
                if approvals.count >= holdLimit { approvals.removeAll() }
                approvals[run] = .init(record: record, line: line)
            }
            return []
        case AuditRecord.Event.decision.rawValue:
            var entry = AuditLogEntry(decision: .init(record: record, line: line), location: location)
            if let run, let approval = approvals.removeValue(forKey: run), Self.sameCall(approval.record, record) {
                entry.approval = approval
            }
            guard filter.admits(entry) else { return [] }
            let key = Self.callKey(record)
            let complete = !entry.awaitsOutcome || key == nil
            if !complete, let key { waiting[key] = base + queue.count }
            queue.append(Slot(entry: entry, key: key, readAt: readAt, complete: complete))
            var outputs = drain()
            while queue.count - head > holdLimit {
                queue[head].released = true
                outputs += drain()
            }
            return outputs
        case AuditRecord.Event.outcome.rawValue:
            guard let key = Self.callKey(record) else { return [] }
            let recorded = AuditLogEntry.Recorded(record: record, line: line)
            if let number = waiting.removeValue(forKey: key) {
                queue[number - base].entry.outcome = recorded
                queue[number - base].complete = true
                return drain()
            }
            guard var call = early.removeValue(forKey: key) else { return [] }
            call.entry.outcome = recorded
            if call.shown { return [.outcome(call.entry)] }
            return filter.matches(call.entry) ? [.call(call.entry)] : []
        default:
            return []
        }
    }

    /// Lets go the calls read before `readBefore` that still wait for their outcome (following
    /// a live log: a long call does not hold back the calls after it). Returns what is now ready.
    public mutating func release(readBefore: Int64) -> [Output] {
        var index = head
        while index < queue.count, queue[index].readAt < readBefore {
            if !queue[index].complete { queue[index].released = true }
            index += 1
        }
        return drain()
    }

    /// The end of the log: every call still waiting is shown as it is.
    public mutating func finish() -> [Output] {
        for index in head..<queue.count { queue[index].released = true }
        return drain()
    }

    /// Shows the calls at the front that are complete or let go.
    private mutating func drain() -> [Output] {
        var outputs: [Output] = []
        while head < queue.count, queue[head].complete || queue[head].released {
            let slot = queue[head]
            head += 1
            let shown = filter.matches(slot.entry)
            if shown { outputs.append(.call(slot.entry)) }
            if !slot.complete, let key = slot.key, waiting[key] == base + head - 1 {
                waiting[key] = nil
                remember(key, Early(entry: slot.entry, shown: shown))
            }
        }
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            base += head
            head = 0
        }
        return outputs
    }

    /// Keeps a call let go before its outcome, forgetting the oldest past ``holdLimit``.
    private mutating func remember(_ key: [UInt8], _ call: Early) {
        early[key] = call
        earlyOrder.append(key)
        while early.count > holdLimit, earlyHead < earlyOrder.count {
            early[earlyOrder[earlyHead]] = nil
            earlyHead += 1
        }
        if earlyHead > 4096 && earlyHead * 2 > earlyOrder.count {
            earlyOrder.removeFirst(earlyHead)
            earlyHead = 0
        }
    }

    /// `run`, a zero byte and `id`: what joins a decision and its outcome (nil without either).
    static func callKey(_ record: AuditRecord) -> [UInt8]? {
        guard let run = record.string(AuditRecord.Field.run), let id = record.string("id") else { return nil }
        return Array(run.utf8) + [0] + Array(id.utf8)
    }

    /// Whether an `approval` record is about the call of a `decision` record: the same tool and arguments.
    static func sameCall(_ approval: AuditRecord, _ decision: AuditRecord) -> Bool {
        guard let tool = approval.string(AuditRecord.Field.tool), let other = decision.string(AuditRecord.Field.tool),
            tool.hasSameScalars(as: other)
        else { return false }
        return approval.string(AuditRecord.Field.argumentsSha256) == decision.string(AuditRecord.Field.argumentsSha256)
    }
}
