#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import TollgateKit

// Helpers for the budget tests: limits shortcuts, reservations that must succeed, temporary
// ledger paths.

/// 2026-01-01T00:00:00Z in milliseconds: tests start there so wall-clock windows look real.
let epoch2026: Int64 = 1_767_225_600_000

/// A rate from its text (the test fails if it does not parse).
func rate(_ text: String) throws -> RateSpec { try RateSpec(parsing: text) }

/// A cost from its text.
func cost(_ text: String) throws -> CostUnits { try CostUnits(parsing: text) }

extension BudgetDecision {
    /// Whether the call was reserved.
    var isReserved: Bool { reservation != nil }

    /// The refusal, if refused.
    var refusal: BudgetExhausted? {
        if case .exhausted(let refusal, _) = self { return refusal }
        return nil
    }
}

extension Ledger {
    /// Reserves `count` calls at `now` and returns how many were reserved.
    func reserveMany(_ call: BudgetCall, count: Int, now: Int64) throws -> Int {
        var reserved = 0
        for _ in 0..<count where try reserve(call, now: now).isReserved { reserved += 1 }
        return reserved
    }
}

/// A fresh empty directory under the system's temporary directory; removed by `cleanUp`.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() {
        var template = Array("/tmp/tollgate-budget-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: created!)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// The lines of a text file.
func fileLines(_ path: String) throws -> [String] {
    String(decoding: try FileIO.read(path), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// Appends raw bytes to a file (to simulate a torn write).
func appendRaw(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    precondition(fd >= 0)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// The current wall clock in milliseconds (only for measurements).
func wallMilliseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
}

/// A monotonic clock in nanoseconds (only for measurements).
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

private final class ThreadWork {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Runs each body on its own OS thread (not the cooperative pool: ledger operations block in
/// `flock`) and waits for all of them.
func runOnThreads(_ bodies: [@Sendable () -> Void]) {
    var threads: [pthread_t] = []
    for body in bodies {
        let context = Unmanaged.passRetained(ThreadWork(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<ThreadWork>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        precondition(result == 0)
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}
