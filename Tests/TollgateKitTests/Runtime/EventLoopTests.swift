import Dispatch
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// The descriptors the process has open now.
private func openDescriptors() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count
}

@Suite("EventLoop")
struct EventLoopTests {
    @Test("a relay whose server cannot start leaves no descriptor of its event loop open")
    func failedStartLeaksNothing() throws {
        var options = StdioRelay.Options()
        options.startFailureAnswerMilliseconds = 0  // stdin is the test runner's: not read
        let relay = StdioRelay(server: ChildProcess.Configuration(arguments: ["tollgate-test-no-such-command-\(getpid())"]),
                               options: options, diagnostics: .silent)
        let starts = 128
        // On a thread of its own: the relay blocks the signals it reads in the calling thread.
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var counts = (before: 0, after: 0, failures: 0)
        startThread {
            counts.before = openDescriptors()
            for _ in 0..<starts {
                do { _ = try relay.run(session: RelaySession()) } catch { counts.failures += 1 }
            }
            counts.after = openDescriptors()
            done.signal()
        }
        done.wait()
        #expect(counts.failures == starts)
        #expect(counts.before > 0)
        // Other tests open descriptors meanwhile; a leak would add three per start.
        #expect(counts.after - counts.before < starts, "\(counts.after - counts.before) descriptors more after \(starts) failed starts")
    }
}
