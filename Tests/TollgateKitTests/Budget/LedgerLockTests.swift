import Synchronization
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Budget: the ledger's shared lock and position")
struct LedgerLockTests {
    static let limits = BudgetLimits(overall: BudgetCaps(calls: 1000))
    static let call = BudgetCall(tool: "echo")

    @Test("two writers alternating on one ledger learn what the other appended from the lock file, without looking at the file each time")
    func positionFromLockFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let first = try Ledger(path: path, limits: Self.limits, sync: .never, now: epoch2026)
        let second = try Ledger(path: path, limits: Self.limits, sync: .never, now: epoch2026)
        let looks = (first.stats.looks, second.stats.looks)
        let start = monotonicNanoseconds()
        for round in 0..<20 {
            #expect(try first.reserve(Self.call, now: epoch2026).isReserved)
            second.beginGroup()
            #expect(try second.reserve(Self.call, now: epoch2026).isReserved)
            #expect(try second.reserve(Self.call, now: epoch2026).isReserved)
            try second.commitGroup(now: epoch2026)
            let used = try first.forecast(now: epoch2026).rows.first { $0.budget == "budgets.calls" }?.used
            #expect(used == Int64(3 * (round + 1)), "each sees every record the other wrote")
        }
        // Within the position's trust interval, looking again only when the interval ran out
        // (at most once per interval each, however slow the machine is today).
        let intervals = Int((monotonicNanoseconds() - start) / UInt64(LedgerCore.positionTrustNanoseconds)) + 2
        #expect(first.stats.looks - looks.0 <= intervals && second.stats.looks - looks.1 <= intervals, "\(first.stats), \(second.stats), \(intervals) intervals")
        #expect(first.stats.looks - looks.0 < 20, "not once per operation")
        #expect(try Ledger.readEvents(path: path).reduce(0) { $0 + $1.amount.calls } == 60)
    }

    @Test("a writer that died holding the lock hands it on: the next one looks at the file and cuts off the record it tore")
    func deadHolder() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let ledger = try Ledger(path: path, limits: Self.limits, sync: .never, now: epoch2026)
        #expect(try ledger.reserve(Self.call, now: epoch2026).isReserved)
        let looks = ledger.stats.looks
        // Another writer takes the lock, writes half a record and dies (its thread ends) holding it.
        let dying = try LedgerLock(path: path + ".lock", mode: 0o644)
        let done = Atomic<Bool>(false)
        startThread {
            _ = try? dying.acquire()
            let whole = LedgerRecord(.reserve, event: SpendEvent(time: epoch2026, tool: "echo", amount: BudgetUsage(calls: 1))).line()
            appendRaw(path, Array(whole.prefix(whole.count / 2)))
            done.store(true, ordering: .releasing)
        }
        for _ in 0..<500 where !done.load(ordering: .acquiring) { usleep(2_000) }
        usleep(20_000)  // the thread's exit
        #expect(try ledger.reserve(Self.call, now: epoch2026).isReserved)
        #expect(ledger.stats.looks == looks + 1, "the position was unknown: the file was looked at")
        let lines = try fileLines(path)
        #expect(lines.last == "")
        for line in lines.dropLast() {
            #expect(bytes(line).withUnsafeBytes { LedgerRecord.decode($0) } != nil, "every line is a record: \(line)")
        }
        #expect(try Ledger.readEvents(path: path).reduce(0) { $0 + $1.amount.calls } == 2, "the torn record counts nothing")
    }

    @Test("a ledger of format 1 gets a header of format 2 when opened, written under the flock its writers take, and keeps its records")
    func formerFormat() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        var header = LedgerRecord(marker: .header, time: epoch2026)
        header.version = 1
        appendRaw(path, header.line())
        for _ in 0..<3 { appendRaw(path, LedgerRecord(.reserve, event: SpendEvent(time: epoch2026, tool: "echo", amount: BudgetUsage(calls: 1))).line()) }
        // A writer of format 1 holds its flock: the ledger waits for it before writing the header.
        let former = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(flock(former, LOCK_EX) == 0)
        let opened = Mutex<(done: Bool, ledger: Ledger?)>((false, nil))
        startThread {
            let ledger = try? Ledger(path: path, limits: Self.limits, sync: .never, now: epoch2026)
            opened.withLock { $0 = (true, ledger) }
        }
        usleep(50_000)
        #expect(try fileLines(path).count == 5, "nothing written while the former lock is held")
        #expect(!opened.withLock { $0.done })
        flock(former, LOCK_UN)
        close(former)
        for _ in 0..<2500 where !opened.withLock({ $0.done }) { usleep(2_000) }
        let ledger = try #require(opened.withLock { $0.ledger })
        let lines = try fileLines(path)
        #expect(lines.count == 6 && lines[4].contains(#"{"k":"header","version":2,"#), "\(lines)")
        #expect(try ledger.reserve(Self.call, now: epoch2026).isReserved)
        #expect(try ledger.forecast(now: epoch2026).rows.first { $0.budget == "budgets.calls" }?.used == 4)
        // Opened again: the header is there, no other is written.
        _ = try Ledger(path: path, limits: Self.limits, sync: .never, now: epoch2026)
        #expect(try fileLines(path).filter { $0.contains(#""k":"header""#) }.count == 2)
    }

    @Test("a lock file that is not a ledger's refuses the ledger")
    func foreignLockFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        appendRaw(path + ".lock", [UInt8](repeating: 0x41, count: 512))
        #expect(throws: LedgerError.self) { try Ledger(path: path, limits: Self.limits, now: epoch2026) }
    }
}
