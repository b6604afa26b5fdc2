import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a detached OS thread running `body`. Relay loops block in read and write, so each
/// direction gets a thread of its own instead of a task on the cooperative pool.
func startThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context)
    precondition(result == 0, "cannot start a thread: \(result)")
    pthread_detach(thread)
}

/// Pins the calling thread to CPU `cpu` (-1: lets it run on any again), for the benchmark's
/// timings; false when it cannot be pinned.
@discardableResult
package func pinCurrentThread(toCPU cpu: Int32) -> Bool {
    tg_set_affinity(0, cpu < 0 ? .max : 1 << UInt64(cpu)) == 0
}
