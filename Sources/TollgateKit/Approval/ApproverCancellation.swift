import CTollgateSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops a running approver early (its call was cancelled by the client): ``cancel()`` from any
/// thread wakes ``ApproverCommand/run(_:cancellation:)`` out of its wait through a pipe, and
/// the approver's process group is killed.
public final class ApproverCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)
    /// The pipe: `run` polls the read end, ``cancel()`` writes a byte to the other.
    private let readEnd: Int32
    private let writeEnd: Int32

    /// Creates a cancellation; without a pipe (descriptors exhausted) it is still seen by the
    /// approver's wait, within its polling interval.
    public init() {
        var fds: [Int32] = [-1, -1]
        if tg_pipe_cloexec(&fds) != 0 { fds = [-1, -1] }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        if readEnd >= 0 { close(readEnd) }
        if writeEnd >= 0 { close(writeEnd) }
    }

    /// Asks the approver to stop (once; later calls do nothing).
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        if writeEnd >= 0 { _ = write(writeEnd, &byte, 1) }
    }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// The descriptor to poll for readability (-1 when there is no pipe).
    var descriptor: Int32 { readEnd }
}
