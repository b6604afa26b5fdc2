import Synchronization
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Budget: ledger group commit and maintenance off the call's path")
struct LedgerMaintenanceTests {
    @Test("a ledger group: one flock and one write for its records; compaction and batched syncs left to the helper thread")
    func ledgerGroup() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let ledger = try Ledger(path: path, limits: BudgetLimits(overall: BudgetCaps(calls: 1000)), sync: .batched(intervalMs: 20),
                                compactAfter: 16, maintenance: .background, now: epoch2026)
        #expect(ledger.syncIntervalMilliseconds == nil, "the gate needs no timer: the helper syncs")
        let writes = ledger.stats.writes
        ledger.beginGroup()
        var reservations: [BudgetReservation] = []
        for _ in 0..<40 { reservations.append(try #require(try ledger.reserve(BudgetCall(tool: "echo"), now: epoch2026).reservation)) }
        #expect(try fileLines(path).count == 2, "nothing written before the commit (the header and the final newline)")
        try ledger.commitGroup(now: epoch2026)
        #expect(ledger.stats.writes == writes + 1)
        #expect(ledger.stats.compactions == 0, "no compaction on the call's path")
        // The helper compacts (40 lines > 16) and syncs within a few intervals.
        var waited = 0
        while (ledger.stats.compactions == 0 || ledger.hasUnsyncedRecords) && waited < 200 {
            usleep(10_000)
            waited += 1
        }
        #expect(ledger.stats.compactions >= 1 && !ledger.hasUnsyncedRecords, "\(ledger.stats)")
        #expect(try ledger.forecast(now: epoch2026).rows.first { $0.budget == "budgets.calls" }?.used == 40)
    }

    static let limits = BudgetLimits(overall: BudgetCaps(calls: 1000))

    /// A ledger compacting in the background (nothing due: no helper of its own, so the
    /// compactions below are the only ones) and another process's on one file, 30 calls reserved.
    private func twoLedgers(in directory: borrowing TemporaryDirectory) throws -> (path: String, ledger: Ledger, other: Ledger) {
        let path = directory.file("ledger")
        let ledger = try Ledger(path: path, limits: Self.limits, sync: .never, compactAfter: 1_000_000, maintenance: .background, now: epoch2026)
        let other = try Ledger(path: path, limits: Self.limits, sync: .never, compactAfter: 1_000_000, now: epoch2026)
        #expect(try ledger.reserveMany(BudgetCall(tool: "echo"), count: 30, now: epoch2026) == 30)
        return (path, ledger, other)
    }

    @Test("a compaction off the locks keeps the records appended while it added up the file, by this process and another")
    func compactionKeepsTheTail() throws {
        let directory = TemporaryDirectory()
        let (path, ledger, other) = try twoLedgers(in: directory)
        let echo = BudgetCall(tool: "echo")
        ledger.compactOffTheLocks(now: epoch2026) {
            // Appended after the file was read and its snapshot written: the tail.
            #expect((try? ledger.reserveMany(echo, count: 3, now: epoch2026)) == 3)
            #expect((try? other.reserveMany(echo, count: 2, now: epoch2026)) == 2)
        }
        #expect(ledger.stats.compactions == 1)
        #expect(ledger.stats.lastCompactionError == nil)
        #expect(try fileLines(path).count < 10, "the snapshot (a header, one line) and the tail of 5 lines")
        for reader in [ledger, other, try Ledger(path: path, limits: Self.limits, now: epoch2026)] {
            #expect(try reader.forecast(now: epoch2026).rows.first { $0.budget == "budgets.calls" }?.used == 35)
        }
        #expect(try Ledger.readEvents(path: path).reduce(0) { $0 + $1.amount.calls } == 35)
        #expect(access(path + ".compact", F_OK) != 0, "no compacted file left behind")
    }

    @Test("a compaction off the locks gives way when another process compacted meanwhile")
    func compactionGivesWay() throws {
        let directory = TemporaryDirectory()
        let (path, ledger, other) = try twoLedgers(in: directory)
        ledger.compactOffTheLocks(now: epoch2026) {
            #expect((try? other.compact(now: epoch2026)) != nil)
        }
        #expect(ledger.stats.compactions == 0)
        #expect(try ledger.forecast(now: epoch2026).rows.first { $0.budget == "budgets.calls" }?.used == 30)
        #expect(try Ledger.readEvents(path: path).reduce(0) { $0 + $1.amount.calls } == 30)
        #expect(access(path + ".compact", F_OK) != 0)
    }

    @Test("a call that begins while the helper holds the locks to finish a compaction is counted as having waited")
    func waitCounted() async throws {
        let directory = TemporaryDirectory()
        let (_, ledger, _) = try twoLedgers(in: directory)
        #expect(ledger.stats.waitedOnMaintenance == 0)
        let reserved = Mutex(false)
        let started = Atomic<Bool>(false)
        ledger.compactOffTheLocks(now: epoch2026, whileLocked: {
            startThread {
                started.store(true, ordering: .releasing)
                let decision = try? ledger.reserve(BudgetCall(tool: "echo"), now: epoch2026)
                reserved.withLock { $0 = decision?.isReserved == true }
            }
            // Time for the thread to look at the helper's state and block on the locks.
            while !started.load(ordering: .acquiring) { usleep(1000) }
            usleep(200_000)
        })
        var waited = 0
        while !reserved.withLock({ $0 }) && waited < 500 {
            usleep(10_000)
            waited += 1
        }
        #expect(reserved.withLock { $0 })
        #expect(ledger.stats.waitedOnMaintenance == 1)
        #expect(ledger.stats.compactions == 1)
    }
}
