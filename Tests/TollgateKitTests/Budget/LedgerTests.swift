#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Testing
@testable import TollgateKit

@Suite("Budget: ledger")
struct BudgetLedgerTests {
    let t0 = epoch2026
    let call = BudgetCall(tool: "search", rules: [0])
    let plain = BudgetCall(tool: "search")
    let limits = BudgetLimits(overall: BudgetCaps(calls: 60),
                              rules: [RuleBudget(rule: "search", caps: BudgetCaps(resultTokens: 1_000_000), cost: CostUnits(units: 1))])

    @Test("a restarted agent does not get a fresh budget")
    func survivesRestart() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 5))
        do {
            let ledger = try Ledger(path: path, limits: limits, now: t0)
            #expect(try ledger.reserveMany(plain, count: 3, now: t0) == 3)
        }
        let restarted = try Ledger(path: path, limits: limits, now: t0 + 1)
        #expect(try restarted.reserveMany(plain, count: 5, now: t0 + 1) == 2)
        let lines = try fileLines(path)
        #expect(lines.first?.contains(#""k":"header","version":2"#) == true)
        #expect(lines.filter { $0.contains(#""k":"reserve""#) }.count == 5)
    }

    @Test("two threads with their own ledger on one file, cap 60, 2 × 50 attempts: exactly 60 pass")
    func twoThreads() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let first = try Ledger(path: path, limits: limits, sync: .never, now: t0)
        let second = try Ledger(path: path, limits: limits, sync: .never, now: t0)
        let passed = Mutex(0)
        let failures = Mutex<[String]>([])
        let call = self.call
        let t0 = self.t0
        let bodies: [@Sendable () -> Void] = [first, second].map { ledger in
            {
                for attempt in 0..<50 {
                    do {
                        if let reservation = try ledger.reserve(call, now: t0 + Int64(attempt)).reservation {
                            passed.withLock { $0 += 1 }
                            _ = try ledger.settle(reservation, resultTokens: 10, now: t0 + Int64(attempt))
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        runOnThreads(bodies)
        #expect(failures.withLock { $0 } == [])
        #expect(passed.withLock { $0 } == 60)
        #expect(try Ledger(path: path, limits: limits, now: t0 + 100).reserve(call, now: t0 + 100).refusal?.used == 60)
        let events = try Ledger.readEvents(path: path)
        #expect(events.filter { $0.amount.calls == 1 }.count == 60)
        #expect(events.filter { $0.amount.resultTokens == 10 }.count == 60)
    }

    @Test("a torn last line is ignored, cut off by the next writer, and never corrupts the ledger")
    func tornLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 3))
        do {
            let ledger = try Ledger(path: path, limits: limits, now: t0)
            #expect(try ledger.reserveMany(plain, count: 1, now: t0) == 1)
        }
        // A writer crashed in the middle of its record.
        let whole = LedgerRecord(.reserve, event: SpendEvent(time: t0, tool: "search", amount: BudgetUsage(calls: 1))).line()
        appendRaw(path, Array(whole[..<(whole.count / 2)]))
        let ledger = try Ledger(path: path, limits: limits, now: t0)
        #expect(try ledger.reserveMany(plain, count: 5, now: t0) == 2, "the torn record counts nothing")
        let lines = try fileLines(path)
        #expect(lines.last == "", "the file ends with a newline")
        for line in lines.dropLast() {
            #expect(bytes(line).withUnsafeBytes { LedgerRecord.decode($0) } != nil, "every line is a record: \(line)")
        }
        #expect(ledger.stats.skippedLines == 0)
        #expect(try Ledger.readEvents(path: path).count == 3)
    }

    @Test("a torn line seen by a reader that does not write is simply ignored")
    func tornTailReader() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let ledger = try Ledger(path: path, limits: limits, now: t0)
        #expect(try ledger.reserveMany(call, count: 2, now: t0) == 2)
        appendRaw(path, bytes("1234abcd {\"k\":\"reserve\",\"t\":1,\"calls\":1"))
        #expect(try Ledger.readEvents(path: path).count == 2)
        let forecast = try ledger.forecast(now: t0)
        #expect(forecast.rows.first { $0.budget == "budgets.calls" }?.used == 2)
    }

    @Test("a crash after reserve, before settle: the call stays counted (over-count, never under-count)")
    func crashAfterReserve() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 2, resultTokens: 100))
        do {
            let crashed = try Ledger(path: path, limits: limits, now: t0)
            // Reserved (and maybe forwarded), then the process died: no settle, no release.
            #expect(try crashed.reserve(plain, now: t0).isReserved)
        }
        let next = try Ledger(path: path, limits: limits, now: t0 + 1)
        var state = BudgetState(limits: limits)
        for event in try Ledger.readEvents(path: path) { _ = state.apply(event) }
        #expect(state.usage(.overall, now: t0 + 1) == BudgetUsage(calls: 1))
        #expect(try next.reserveMany(plain, count: 2, now: t0 + 1) == 1)
    }

    @Test("release and sampling records replay like the in-memory state")
    func replayMatchesState() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10, cost: try cost("5"), samplingTokens: 3000),
                                  samplingMaxTokensPerRequest: 1000,
                                  rules: [RuleBudget(rule: "search", caps: BudgetCaps(calls: 4), cost: try cost("1.25"))])
        let ledger = try Ledger(path: path, limits: limits, now: t0)
        var state = BudgetState(limits: limits)
        for account in [0, 1] {
            var book: any BudgetAccount = account == 0 ? ledger : state
            let kept = try book.reserve(call, now: t0).reservation!
            let dropped = try book.reserve(call, now: t0 + 1).reservation!
            try book.release(dropped, now: t0 + 2)
            _ = try book.settle(kept, resultTokens: 321, now: t0 + 3)
            guard case .granted(let grant, _) = try book.reserveSampling(maxTokens: 1000, now: t0 + 4) else { Issue.record("refused"); return }
            _ = try book.settleSampling(grant, tokens: 200, now: t0 + 5)
            if account == 1 { state = book as! BudgetState }
        }
        let expected = BudgetUsage(calls: 1, cost: try cost("1.25"), resultTokens: 321, samplingTokens: 200)
        #expect(state.usage(.overall, now: t0 + 5) == expected)
        var replayed = BudgetState(limits: limits)
        for event in try Ledger.readEvents(path: path) { _ = replayed.apply(event) }
        #expect(replayed.usage(.overall, now: t0 + 5) == expected)
        #expect(replayed.usage(.rule("search"), now: t0 + 5) == BudgetUsage(calls: 1, cost: try cost("1.25"), resultTokens: 321))
    }

    @Test("compaction keeps the totals, and a reader opened before it follows the new file")
    func compaction() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 500),
                                  rules: [RuleBudget(rule: "t*", caps: BudgetCaps(calls: 300), per: .tool)])
        let writer = try Ledger(path: path, limits: limits, sync: .never, compactAfter: 50, now: t0)
        let other = try Ledger(path: path, limits: limits, sync: .never, compactAfter: 1_000_000, now: t0)
        for index in 0..<200 {
            let now = t0 + Int64(index) * 30_000 // one call every 30 s, over 100 minutes
            let reservation = try writer.reserve(BudgetCall(tool: "t\(index % 3)", rules: [0]), now: now).reservation!
            _ = try writer.settle(reservation, resultTokens: Int64(index), now: now)
        }
        // 401 records were written; a snapshot keeps one line per tool and minute of the last hour
        // (for the burn rate) and folds older spend into one line per tool.
        #expect(writer.stats.compactions >= 1)
        #expect(writer.stats.lines <= 3 * 62 * 2, "the file stays bounded: \(writer.stats.lines) lines")
        let end = t0 + 200 * 30_000
        let expected = BudgetUsage(calls: 200, resultTokens: 199 * 200 / 2)
        for ledger in [writer, other, try Ledger(path: path, limits: limits, now: end)] {
            let forecast = try ledger.forecast(now: end)
            let used = forecast.rows.filter { $0.scope == .overall }
            #expect(used.first { $0.counter == .calls }?.used == expected.calls)
            #expect(used.first { $0.counter == .resultTokens }?.used == expected.resultTokens)
            #expect(forecast.rows.first { $0.scope == .tool(rule: "t*", tool: "t1") }?.used == 67)
        }
        #expect(try other.reserve(BudgetCall(tool: "t0", rules: [0]), now: end).isReserved, "the reader writes to the new file")
        #expect(try Ledger.readEvents(path: path).reduce(0) { $0 + $1.amount.calls } == 201)
        #expect(!(try fileLines(path)).contains { $0.contains("compacted") }, "the marker stays in the replaced file")
    }

    @Test("compaction drops spend that left the window")
    func compactionWithWindow() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10), window: try BudgetWindow(parsing: "1h"))
        let ledger = try Ledger(path: path, limits: limits, now: t0)
        #expect(try ledger.reserveMany(plain, count: 10, now: t0) == 10)
        #expect(try ledger.reserveMany(plain, count: 1, now: t0 + 3_659_999) == 0)
        try ledger.compact(now: t0 + 3_660_000)
        #expect(try Ledger.readEvents(path: path).isEmpty)
        #expect(try ledger.reserveMany(plain, count: 11, now: t0 + 3_660_000) == 10)
    }

    @Test("a ledger from a newer Tollgate is refused; an unusable path throws")
    func refusals() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        appendRaw(path, [])
        let header = bytes(#"{"k":"header","version":3,"t":1}"#)
        appendRaw(path, LedgerChecksum.hex(LedgerChecksum.crc32c(header)) + [0x20] + header + [0x0A])
        #expect(throws: LedgerError.self) { try Ledger(path: path, limits: limits, now: t0) }
        #expect(throws: LedgerError.self) { try Ledger.readEvents(path: path) }
        #expect(throws: LedgerError.self) { try Ledger(path: directory.file("missing/ledger"), limits: limits, now: t0) }
    }

    @Test("a record that cannot be written fails the reservation (fail closed) and counts nothing")
    func writeFailure() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let ledger = try Ledger(path: path, limits: limits, now: t0)
        #expect(try ledger.reserve(call, now: t0).isReserved)
        // Another process "compacted" the ledger into a file that cannot take a byte more.
        appendRaw(path, LedgerRecord(marker: .compacted, time: t0).line())
        unlink(path)
        symlink("/dev/full", path)
        // Changed outside the lock: within the position's trust interval, only the watch can tell.
        for _ in 0..<500 where !ledger.fileMayHaveChanged { usleep(1_000) }
        #expect(throws: LedgerError.self) { try ledger.reserve(call, now: t0) }
        #expect(try ledger.forecast(now: t0).rows.first { $0.budget == "budgets.calls" }?.used == 0)
        #expect(throws: LedgerError.self) { try Ledger(path: path, limits: limits, now: t0) }
    }

    @Test("crossings caused by another process are reported with this one's next operation, once")
    func crossingsFromElsewhere() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 4))
        let first = try Ledger(path: path, limits: limits, now: t0)
        let second = try Ledger(path: path, limits: limits, now: t0)
        #expect(try first.reserve(plain, now: t0).crossings.isEmpty)
        #expect(try first.reserve(plain, now: t0).crossings.map(\.percent) == [50])
        #expect(try second.reserve(plain, now: t0).crossings.map(\.percent) == [50], "read from the ledger, then 75%: none")
        #expect(try first.reserve(plain, now: t0).crossings.map(\.percent) == [80, 100])
        guard case .exhausted(let refusal, let crossings) = try second.reserve(plain, now: t0) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.used == 4)
        #expect(crossings.map(\.percent) == [80, 100])
    }
}
