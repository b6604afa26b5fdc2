#if os(Linux)
import Glibc
import Testing
@testable import TollgateKit

/// Ledgers shared by real processes: the test binary starts copies of itself that run only
/// ``helper()``, told what to do by an environment variable; each opens the ledger, says it is
/// ready on one pipe, and waits on another that the parent closes once all are ready, so they
/// really run at the same time.
@Suite("Budget: ledger shared by processes")
struct BudgetLedgerProcessTests {
    static let variable = "TOLLGATE_TEST_LEDGER_HELPER"
    static func limits(cap: Int64) -> BudgetLimits { BudgetLimits(overall: BudgetCaps(calls: cap)) }
    static let call = BudgetCall(tool: "search")

    @Test("helper process (does nothing unless started by the tests below)")
    func helper() throws {
        guard let raw = getenv(Self.variable) else { return }
        let parts = String(cString: raw).split(separator: "|").map(String.init)
        let (path, attempts, result, mode, cap) = (parts[0], Int(parts[1])!, parts[2], parts[3], Int64(parts[4])!)
        let ledger = try Ledger(path: path, limits: Self.limits(cap: cap), sync: .batched(intervalMs: 50), now: wallMilliseconds())
        var byte: UInt8 = 1
        _ = write(4, &byte, 1) // ready
        close(4) // so a helper that dies before this point cannot leave the parent waiting
        _ = read(3, &byte, 1) // blocks until the parent closes the gate: everyone starts at once
        var passed = 0
        for _ in 0..<attempts {
            if let reservation = try ledger.reserve(Self.call, now: wallMilliseconds()).reservation {
                passed += 1
                if mode != "kill" { _ = try ledger.settle(reservation, resultTokens: 5, now: wallMilliseconds()) }
            }
        }
        appendRaw(result, Array("\(passed)".utf8))
        if mode == "kill" { kill(getpid(), SIGKILL) }
    }

    @Test("two processes, cap 60, 2 × 50 attempts: exactly 60 pass")
    func twoProcesses() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let statuses = try Self.runHelpers([(path, 50, directory.file("a"), "settle", 60), (path, 50, directory.file("b"), "settle", 60)])
        #expect(statuses == [0, 0])
        let passed = try [directory.file("a"), directory.file("b")].map { Int(String(decoding: try FileIO.read($0), as: UTF8.self)) ?? -1 }
        #expect(passed.reduce(0, +) == 60, "\(passed)")
        let events = try Ledger.readEvents(path: path)
        #expect(events.reduce(0) { $0 + $1.amount.calls } == 60)
        #expect(events.reduce(0) { $0 + $1.amount.resultTokens } == 300)
    }

    @Test("three processes under real contention, cap 2500, 3 × 1000 attempts: exactly 2500 pass")
    func contention() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let results = ["a", "b", "c"].map { directory.file($0) }
        let statuses = try Self.runHelpers(results.map { (path, 1000, $0, "settle", 2500) })
        #expect(statuses == [0, 0, 0])
        let passed = try results.map { Int(String(decoding: try FileIO.read($0), as: UTF8.self)) ?? -1 }
        #expect(passed.reduce(0, +) == 2500, "\(passed)")
        let events = try Ledger.readEvents(path: path)
        #expect(events.reduce(0) { $0 + $1.amount.calls } == 2500)
        // The helpers really interleave: in runs seen, the writer of consecutive reservations
        // switched 50 to 80 times (not asserted: it depends on the scheduler).
    }

    @Test("kill -9 right after reserving: every reservation stays counted")
    func killed() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger")
        let statuses = try Self.runHelpers([(path, 7, directory.file("a"), "kill", 60)])
        #expect(statuses == [128 + SIGKILL])
        let ledger = try Ledger(path: path, limits: Self.limits(cap: 60), now: wallMilliseconds())
        #expect(try ledger.reserveMany(Self.call, count: 60, now: wallMilliseconds()) == 53)
    }

    /// Starts one helper per job, releases them together, waits; returns each one's exit status
    /// (128 + signal when a signal ended it).
    static func runHelpers(_ jobs: [(path: String, attempts: Int, result: String, mode: String, cap: Int64)]) throws -> [Int32] {
        var gate: [Int32] = [0, 0]
        var ready: [Int32] = [0, 0]
        guard pipe(&gate) == 0, pipe(&ready) == 0 else { throw TestFailure() }
        _ = fcntl(gate[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ready[0], F_SETFD, FD_CLOEXEC)
        var pids: [pid_t] = []
        for job in jobs {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, gate[0], 3)
            posix_spawn_file_actions_adddup2(&actions, ready[1], 4)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let arguments = ["/proc/self/exe", "--testing-library", "swift-testing", "--filter", "BudgetLedgerProcessTests/helper"]
            var environment = FileIO.environment().map { "\($0.key)=\($0.value)" }
            environment.append("\(variable)=\(job.path)|\(job.attempts)|\(job.result)|\(job.mode)|\(job.cap)")
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = environment.map { strdup($0) } + [nil]
            defer { (argv + envp).forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, "/proc/self/exe", &actions, nil, argv, envp) == 0 else { throw TestFailure() }
            pids.append(pid)
        }
        close(gate[0])
        close(ready[1])
        var byte: UInt8 = 0
        for _ in jobs where read(ready[0], &byte, 1) != 1 { break } // every helper opened the ledger (or died)
        close(ready[0])
        close(gate[1]) // releases every helper at once
        return pids.map { pid in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        }
    }
}
#endif
