import Testing
@testable import TollgateKit

@Suite("ShutdownSequence")
struct ShutdownSequenceTests {
    @Test("nothing happens before an event")
    func idle() {
        var sequence = ShutdownSequence(graceMilliseconds: 2000)
        #expect(sequence.tick(now: 0) == [])
        #expect(sequence.tick(now: 1_000_000) == [])
        #expect(sequence.nextDeadline == nil)
        #expect(!sequence.isFinished)
        #expect(sequence.grace == 2000)
        #expect(sequence.outputGrace == 1000)
    }

    @Test("client close: close the server's input, SIGTERM at +grace, SIGKILL at +2*grace", arguments: [ShutdownSequence.Event.clientClosed, .stopRequested])
    func escalation(trigger: ShutdownSequence.Event) {
        var sequence = ShutdownSequence(graceMilliseconds: 2000)
        #expect(sequence.handle(trigger, now: 1000) == [.closeServerInput])
        #expect(sequence.nextDeadline == 3000)
        #expect(sequence.tick(now: 2999) == [])
        #expect(sequence.tick(now: 3000) == [.terminateServer])
        #expect(sequence.tick(now: 3001) == [], "each stage happens once")
        #expect(sequence.nextDeadline == 5000)
        #expect(sequence.tick(now: 4999) == [])
        #expect(sequence.tick(now: 5000) == [.killServer])
        #expect(sequence.nextDeadline == nil)
        #expect(sequence.tick(now: 9000) == [])
        #expect(!sequence.isFinished, "the sequence waits for the server to exit")

        #expect(sequence.handle(.serverExited(.signaled(9)), now: 5100) == [], "the output may still drain")
        #expect(sequence.nextDeadline == 6100)
        #expect(sequence.handle(.serverClosedOutput, now: 5200) == [.finish(.signaled(9))])
        #expect(sequence.isFinished)
        #expect(sequence.nextDeadline == nil)
        #expect(sequence.tick(now: 99_999) == [])
        #expect(sequence.handle(.clientClosed, now: 99_999) == [])
    }

    @Test("a late tick takes every stage that is due at once")
    func lateTick() {
        var sequence = ShutdownSequence(graceMilliseconds: 100)
        #expect(sequence.handle(.clientClosed, now: 0) == [.closeServerInput])
        #expect(sequence.tick(now: 10_000) == [.terminateServer, .killServer])
    }

    @Test("a second stop event does not restart the clock")
    func repeatedStop() {
        var sequence = ShutdownSequence(graceMilliseconds: 2000)
        #expect(sequence.handle(.clientClosed, now: 0) == [.closeServerInput])
        #expect(sequence.handle(.stopRequested, now: 1500) == [])
        #expect(sequence.handle(.clientClosed, now: 1900) == [])
        #expect(sequence.tick(now: 2000) == [.terminateServer])
    }

    @Test("the server exits before the grace: finish after its output closed, never a signal")
    func exitBeforeGraceThenOutputCloses() {
        var sequence = ShutdownSequence(graceMilliseconds: 2000)
        #expect(sequence.handle(.clientClosed, now: 0) == [.closeServerInput])
        #expect(sequence.handle(.serverExited(.exited(0)), now: 500) == [])
        #expect(sequence.nextDeadline == 1500)
        #expect(sequence.handle(.serverClosedOutput, now: 600) == [.finish(.exited(0))])
        #expect(sequence.tick(now: 10_000) == [], "no SIGTERM for a server that is gone")
    }

    @Test("the server exits before the grace but its output stays open: finish after outputGrace")
    func exitBeforeGraceOutputGrace() {
        var sequence = ShutdownSequence(graceMilliseconds: 2000, outputGraceMilliseconds: 300)
        #expect(sequence.handle(.stopRequested, now: 0) == [.closeServerInput])
        #expect(sequence.handle(.serverExited(.exited(3)), now: 1000) == [])
        #expect(sequence.tick(now: 1299) == [])
        #expect(sequence.tick(now: 2000) == [.finish(.exited(3))], "past the stop grace, still no SIGTERM")
        #expect(sequence.isFinished)
        #expect(sequence.tick(now: 5000) == [])
    }

    @Test("the output closes first, then the server exits: finish at once")
    func outputThenExit() {
        var sequence = ShutdownSequence(graceMilliseconds: 2000)
        #expect(sequence.handle(.clientClosed, now: 0) == [.closeServerInput])
        #expect(sequence.handle(.serverClosedOutput, now: 10) == [])
        #expect(sequence.handle(.serverExited(.exited(1)), now: 20) == [.finish(.exited(1))])
    }

    @Test("a server that closes its output but lives on is shut down the same way")
    func outputClosedServerAlive() {
        var sequence = ShutdownSequence(graceMilliseconds: 50)
        #expect(sequence.handle(.serverClosedOutput, now: 100) == [.closeServerInput])
        #expect(sequence.tick(now: 150) == [.terminateServer])
        #expect(sequence.tick(now: 200) == [.killServer])
        #expect(sequence.handle(.serverExited(.signaled(9)), now: 210) == [.finish(.signaled(9))])
    }

    @Test("a server that crashes on its own: finish after its output, with its status")
    func crash() {
        var sequence = ShutdownSequence()
        #expect(sequence.handle(.serverExited(.exited(3)), now: 100) == [])
        #expect(sequence.nextDeadline == 1100)
        #expect(sequence.handle(.clientClosed, now: 200) == [], "the server is gone: nothing to close")
        #expect(sequence.tick(now: 1100) == [.finish(.exited(3))])
    }

    @Test("the first exit status wins")
    func firstStatus() {
        var sequence = ShutdownSequence()
        _ = sequence.handle(.serverExited(.exited(2)), now: 0)
        _ = sequence.handle(.serverExited(.signaled(15)), now: 1)
        #expect(sequence.handle(.serverClosedOutput, now: 2) == [.finish(.exited(2))])
    }

    @Test("driven by its own deadlines, every path ends in exactly one finish, in order", arguments: [0, 1, 1999, 2000, 2500, 4000, 4001, 10_000])
    func drivenByDeadlines(exitAfter: Int64) {
        var sequence = ShutdownSequence(graceMilliseconds: 2000, outputGraceMilliseconds: 1000)
        var log: [(Int64, ShutdownSequence.Action)] = []
        var now: Int64 = 0
        log += sequence.handle(.clientClosed, now: now).map { (now, $0) }
        var exited = false
        var steps = 0
        while !sequence.isFinished && steps < 100 {
            steps += 1
            let deadline = sequence.nextDeadline ?? Int64.max
            if !exited && exitAfter <= deadline {
                now = exitAfter
                exited = true
                log += sequence.handle(.serverExited(.exited(0)), now: now).map { (now, $0) }
                continue
            }
            now = max(now, deadline)
            log += sequence.tick(now: now).map { (now, $0) }
        }
        #expect(sequence.isFinished, "the sequence finished within \(steps) steps")
        let actions = log.map(\.1)
        #expect(actions.first == .closeServerInput)
        #expect(actions.last == .finish(.exited(0)))
        #expect(actions.filter { if case .finish = $0 { true } else { false } }.count == 1)
        // An exit that arrives together with a deadline is handled first (events before ticks).
        #expect(actions.contains(.terminateServer) == (exitAfter > 2000))
        #expect(actions.contains(.killServer) == (exitAfter > 4000))
        #expect(log.last?.0 == exitAfter + 1000, "finish waits outputGrace after the exit")
        #expect(log.map(\.0) == log.map(\.0).sorted(), "actions come in time order")
    }
}

@Suite("ExitStatus, SpawnError, ResourceLimits")
struct ProcessValueTests {
    @Test("shell codes and descriptions")
    func exitStatus() {
        #expect(ExitStatus.exited(0).shellCode == 0)
        #expect(ExitStatus.exited(3).shellCode == 3)
        #expect(ExitStatus.signaled(9).shellCode == 137)
        #expect(ExitStatus.signaled(15).shellCode == 143)
        #expect(ExitStatus.exited(3).description == "exited with status 3")
        #expect(ExitStatus.signaled(9).description == "was killed by signal 9 (SIGKILL)")
        #expect(ExitStatus.signaled(64).description == "was killed by signal 64 (signal 64)")
    }

    @Test("a command that is not found exits 127; one that cannot run, 126")
    func spawnErrorCodes() {
        #expect(SpawnError(command: "x", step: .exec, errno: 2).exitCode == 127)
        #expect(SpawnError(command: "x", step: .exec, errno: 13).exitCode == 126)
        #expect(SpawnError(command: "x", step: .changeDirectory, errno: 2).exitCode == 126)
        #expect(SpawnError(command: "nope", step: .exec, errno: 2).description.hasPrefix("cannot start 'nope': "))
        #expect(SpawnError(command: "x", step: .changeDirectory, errno: 2).description.contains("working directory"))
        #expect(SpawnError(command: "x", step: .limits, errno: 1).description.contains("resource limits"))
    }

    @Test("resource limits are empty until one is set")
    func limits() {
        #expect(ResourceLimits().isEmpty)
        #expect(!ResourceLimits(cpuSeconds: 1).isEmpty)
        #expect(!ResourceLimits(processes: 5).isEmpty)
    }
}
