import Foundation
import Synchronization

// Every wait in these tests (reading a pipe, waiting for a process) blocks a thread. It runs on a
// thread of its own, never on a Swift concurrency thread: with 2 cores the cooperative pool has 2
// threads, and blocking them would stall every other test and Swift Testing's time limits.

/// A failure of the end-to-end harness, with a message meant for the test log.
struct E2EError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Set when the task awaiting a blocking operation is cancelled (for example by a time limit).
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func cancel() { flag.store(true, ordering: .relaxed) }

    var isCancelled: Bool { flag.load(ordering: .relaxed) }

    /// Throws once cancelled; blocking loops call it at least every 100 ms.
    func check(_ what: @autoclosure () -> String) throws {
        if isCancelled { throw E2EError("cancelled while \(what()) (the test's time limit was reached?)") }
    }
}

/// Runs `body` on a new thread and returns its result; cancelling the awaiting task sets the flag.
func onThread<T: Sendable>(_ body: @escaping @Sendable (CancellationFlag) throws -> T) async throws -> T {
    let flag = CancellationFlag()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body(flag) })
            }
        }
    } onCancel: {
        flag.cancel()
    }
}

/// A point in time after which a wait gives up.
struct Deadline: Sendable {
    let end: ContinuousClock.Instant
    let timeout: Duration

    init(_ timeout: Duration) {
        self.timeout = timeout
        end = ContinuousClock.now.advanced(by: timeout)
    }

    var hasPassed: Bool { ContinuousClock.now >= end }

    /// Milliseconds left, clamped to `0...cap` (for `poll`, so cancellation is noticed).
    func pollMilliseconds(cap: Int32 = 100) -> Int32 {
        let left = ContinuousClock.now.duration(to: end)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(min(Int64(cap), ms))
    }
}

extension Duration {
    /// The duration in seconds, as a Double (for messages and tolerances).
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Sleeps the calling (non-cooperative) thread.
func sleepThread(milliseconds: Int) {
    usleep(useconds_t(milliseconds * 1000))
}

/// Waits up to 10 s (polling every 50 ms) until `condition` holds; throws naming `what` otherwise.
func waitFor(_ what: String, _ condition: () throws -> Bool) async throws {
    for _ in 0..<200 {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw E2EError("timed out waiting for \(what)")
}
