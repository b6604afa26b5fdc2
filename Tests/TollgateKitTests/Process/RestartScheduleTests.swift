import Testing
@testable import TollgateKit

@Suite("RestartSchedule: when a failed server starts again")
struct RestartScheduleTests {
    func policy(_ configure: (inout RestartPolicy) -> Void = { _ in }) -> RestartPolicy {
        var policy = RestartPolicy()
        configure(&policy)
        return policy
    }

    @Test("failures in a row wait 0.5 s, 1 s, 2 s, 4 s, 8 s; the sixth gives up")
    func backoff() {
        var schedule = RestartSchedule(policy: policy(), startedAt: 0)
        var now: Int64 = 100
        var delays: [Int64] = []
        for attempt in 1...5 {
            guard case .restart(let time, let number, let delay) = schedule.ended(.exited(1), at: now) else {
                Issue.record("restart \(attempt) was refused")
                return
            }
            #expect(number == attempt && time == now + delay)
            delays.append(delay)
            now = time
            schedule.started(at: now)
            now += 10
        }
        #expect(delays == [500, 1000, 2000, 4000, 8000])
        #expect(schedule.ended(.signaled(9), at: now) == .giveUp("it failed 6 times in a row (maxRestarts is 5)"))
    }

    @Test("the wait is capped at 30 s")
    func cap() {
        var schedule = RestartSchedule(policy: policy { $0.maxRestarts = 20; $0.backoffMilliseconds = 10_000 }, startedAt: 0)
        var last: Int64 = 0
        for _ in 1...5 {
            if case .restart(_, _, let delay) = schedule.ended(.exited(2), at: 1) { last = delay }
        }
        #expect(last == RestartPolicy.maxBackoffMilliseconds)
    }

    @Test("a server that ran for a minute before failing starts the count again")
    func healthyResets() {
        var schedule = RestartSchedule(policy: policy { $0.maxRestarts = 1 }, startedAt: 0)
        #expect(schedule.ended(.exited(1), at: 10) == .restart(at: 510, attempt: 1, delay: 500))
        schedule.started(at: 510)
        #expect(schedule.ended(.exited(1), at: 510 + RestartPolicy.healthyMilliseconds) == .restart(at: 60_510 + 500, attempt: 1, delay: 500))
        schedule.started(at: 70_000)
        #expect(schedule.ended(.exited(1), at: 70_001) == .giveUp("it failed 2 times in a row (maxRestarts is 1)"))
    }

    @Test("status 0 and restart \"never\" are not restarted")
    func notRestarted() {
        var schedule = RestartSchedule(policy: policy(), startedAt: 0)
        #expect(schedule.ended(.exited(0), at: 5) == .giveUp("it exited with status 0 (only failures are restarted)"))
        var never = RestartSchedule(policy: policy { $0.mode = .never }, startedAt: 0)
        #expect(never.ended(.exited(3), at: 5) == .giveUp("its restart policy is \"never\""))
    }
}
