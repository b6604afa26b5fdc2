import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The effects of one batch of the owner go to disk together: a pump that decided every line
/// of a read enqueues each line's effects and completes them at once.
@Suite("Effects: group commit")
struct EffectsGroupCommitTests {
    /// The admission of an allowed call to `echo` (against budget rule `rules`).
    private func admission(_ id: Int, denial: Denial? = nil) throws -> GateEffect {
        .admit(CallAdmission(call: try call("echo", ["n": .number(String(id))], id: id), rules: [], denial: denial, monitoring: false, held: false))
    }

    /// Enqueues each effect with a ticket of its own, as a pump enqueues each line's, and
    /// completes them all at once; returns the refusals' denial codes per ticket.
    private func completeAtOnce(_ owner: EffectsOwner, _ effects: [GateEffect]) -> [[Denial.Code]] {
        let tickets = effects.map { owner.enqueue([$0]) }
        _ = owner.complete(tickets)
        return owner.takeRefusals(tickets).map { $0.map(\.denial.code) }
    }

    /// The `decision` records of the log at `path`: (id, decision, code).
    private func decisions(_ path: String) throws -> [(id: String, decision: String, code: String?)] {
        try auditLines(path).map { AuditRecord(try #require(try json($0).objectValue)) }.filter { $0.string("event") == "decision" }.map {
            ($0.string("id") ?? "", $0.string("decision") ?? "", $0.string("code"))
        }
    }

    @Test("a batch of 20 calls: their decision records in one write and one fdatasync, their reservations in one ledger write, in decision order")
    func oneWriteEach() throws {
        let directory = TemporaryDirectory()
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .always)
        let ledger = try Ledger(path: directory.file("ledger"), limits: BudgetLimits(overall: BudgetCaps(calls: 100)), sync: .everyRecord, now: wallMilliseconds())
        let owner = EffectsOwner(CallEffects(audit: AuditTrail(log: log, arguments: .full, server: nil),
                                             limits: BudgetLimits(overall: BudgetCaps(calls: 100)), account: ledger, diagnostics: .silent))
        let ledgerWrites = ledger.stats.writes
        let refusals = completeAtOnce(owner, try (0..<20).map { try admission($0) })
        #expect(refusals == Array(repeating: [], count: 20))
        #expect(log.stats == AuditStats(writes: 1, records: 20, syncs: 1), "\(log.stats)")
        #expect(ledger.stats.writes == ledgerWrites + 1)
        #expect(try fileLines(directory.file("ledger")).filter { $0.contains("reserve") }.count == 20)
        #expect(try decisions(directory.file("audit.log")).map(\.id) == (0..<20).map { "\($0)" })
        #expect(try decisions(directory.file("audit.log")).allSatisfy { $0.decision == "allowed" })
        try log.close()
        #expect(AuditVerifier.verify(files: [directory.file("audit.log")], key: nil).isIntact)
    }

    @Test("denials inside a group keep their place: each ticket gets its own refusals, records in decision order")
    func mixedGroup() throws {
        let directory = TemporaryDirectory()
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .batch)
        let owner = EffectsOwner(CallEffects(audit: AuditTrail(log: log, arguments: .full, server: nil),
                                             limits: BudgetLimits(overall: BudgetCaps(calls: 3)), diagnostics: .silent))
        let policyDenial = Denial(.toolDenied, tool: "echo", rule: "echo", reason: "no", advice: "")
        let effects = [try admission(1), try admission(2, denial: policyDenial), try admission(3), try admission(4), try admission(5), try admission(6)]
        // The policy's denial is the verdict already given (no refusal); the cap of 3 refuses calls 5 and 6.
        #expect(completeAtOnce(owner, effects) == [[], [], [], [], [.budgetExhausted], [.budgetExhausted]])
        #expect(log.stats.writes == 1)
        let written = try decisions(directory.file("audit.log"))
        #expect(written.map(\.id) == ["1", "2", "3", "4", "5", "6"])
        #expect(written.map(\.decision) == ["allowed", "denied", "allowed", "allowed", "denied", "denied"])
        #expect(written.map(\.code) == [nil, "tool_denied", nil, nil, "budget_exhausted", "budget_exhausted"])
    }

    @Test("the group's audit write fails: every call of it is refused audit_unavailable and its reservation given back")
    func auditWriteFails() throws {
        let directory = TemporaryDirectory()
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .always)
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10))
        let effects = CallEffects(audit: AuditTrail(log: log, arguments: .full, server: nil), limits: limits, diagnostics: .silent)
        let owner = EffectsOwner(effects)
        try log.close()
        #expect(completeAtOnce(owner, try (0..<10).map { try admission($0) }) == Array(repeating: [.auditUnavailable], count: 10))
        // Every reservation was given back: the cap of 10 still allows 10 calls.
        let reopened = try AuditLog.open(path: directory.file("audit.log"), fsync: .always)
        owner.withEffects { $0.audit = AuditTrail(log: reopened, arguments: .full, server: nil) }
        #expect(completeAtOnce(owner, try (10..<20).map { try admission($0) }) == Array(repeating: [], count: 10))
        #expect(try decisions(directory.file("audit.log")).map(\.id) == (10..<20).map { "\($0)" }, "nothing of the failed group is in the file")
    }

    @Test("the group's ledger write fails: every call of it is refused budget_unavailable, recorded as denied, and nothing stays counted")
    func ledgerWriteFails() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 100))
        let ledger = try Ledger(path: path, limits: limits, sync: .never, now: wallMilliseconds())
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .batch)
        let owner = EffectsOwner(CallEffects(audit: AuditTrail(log: log, arguments: .full, server: nil), limits: limits, account: ledger,
                                             diagnostics: .silent))
        // Another process "compacted" the ledger into a file that cannot take a byte more: the
        // group catches up (empty), reserves in memory, and its one write fails.
        appendRaw(path, LedgerRecord(marker: .compacted, time: wallMilliseconds()).line())
        unlink(path)
        symlink("/dev/full", path)
        // Changed outside the lock: within the position's trust interval, only the watch can tell.
        for _ in 0..<500 where !ledger.fileMayHaveChanged { usleep(1_000) }
        #expect(completeAtOnce(owner, try (0..<8).map { try admission($0) }) == Array(repeating: [.budgetUnavailable], count: 8))
        #expect(try ledger.forecast(now: wallMilliseconds()).rows.first { $0.budget == "budgets.calls" }?.used == 0, "the group's reservations were taken back")
        let written = try decisions(directory.file("audit.log"))
        #expect(written.map(\.id) == (0..<8).map { "\($0)" })
        #expect(written.allSatisfy { $0.decision == "denied" && $0.code == "budget_unavailable" }, "\(written)")
    }

    @Test("tickets completed at once get only their own refusals while another thread's effects are queued between them")
    func interleavedTickets() throws {
        let owner = EffectsOwner(CallEffects(limits: BudgetLimits(overall: BudgetCaps(calls: 2)), diagnostics: .silent))
        let first = owner.enqueue([try admission(1)])
        let other = owner.enqueue([try admission(2), try admission(3)])
        let second = owner.enqueue([try admission(4)])
        #expect(owner.complete([first, second]), "one of them was refused")
        #expect(owner.takeRefusals([first, second]).map { $0.map(\.id.description) } == [[], ["4"]])
        #expect(owner.takeRefusals(of: [try call("echo", id: 3).id]).map(\.id.description) == ["3"],
                "the other thread's refusal waits for it, and may be taken by its call's id")
        #expect(owner.complete(other).isEmpty, "taken once")
        #expect(!owner.complete([EffectsOwner.Ticket.none]))
    }
}
