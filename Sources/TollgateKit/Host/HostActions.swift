/// What the aggregating gate's I/O layer must do after the ``HostSession`` took in one line or
/// event: whole lines for the client, whole lines for each child, diagnostics. The session
/// decides; the I/O layer only writes, so the session is tested without processes or pipes.
public struct HostActions: Sendable, Equatable {
    /// Lines for the client's stdout (each with its newline), in order.
    public var toClient: [UInt8] = []
    /// Lines for each child's stdin, by child index, in order.
    public var toChildren: [Int: [UInt8]] = [:]
    /// The checked calls among ``toChildren``: where each one's line is, so that a call its
    /// effects refuse can be taken out before anything is written.
    public var forwardedCalls: [ForwardedCall] = []

    /// A call's line in ``toChildren``.
    public struct ForwardedCall: Sendable, Equatable {
        /// The client's id of the call.
        public var id: RequestID
        public var child: Int
        /// Where its line (newline included) is in the child's bytes.
        public var range: Range<Int>
        /// The gate-owned id it is sent under.
        public var sentID: RequestID
        /// Whether it was decided in an earlier critical section (parked until its child
        /// started): its effects belong to the thread that decided it.
        public var decidedBefore = false
    }
    /// Diagnostics for stderr.
    public var logs: [String] = []
    /// Local approvers to start (off the session's lock); each reports back through
    /// ``HostSession/approverFinished(_:_:now:)``.
    public var approvers: [ApproverJob] = []
    /// Tokens of running approvers whose calls were cancelled: the I/O layer stops them.
    public var cancelledApprovers: [Int] = []
    /// Set when Tollgate cannot go on (a start-up error found once the servers answered): the
    /// I/O layer reports it, shuts every server down and exits with a failure.
    public var stop: String?

    /// Nothing to do.
    public init() {}

    /// Adds a line (newline included) for the client.
    public mutating func sendClient(_ line: [UInt8]) {
        toClient.append(contentsOf: line)
    }

    /// Adds a line (newline included) for child `child`.
    public mutating func send(_ line: [UInt8], toChild child: Int) {
        toChildren[child, default: []].append(contentsOf: line)
    }

    /// Adds the line (newline included) of the client's call `id`, sent as `sentID`, for child `child`.
    public mutating func send(call line: [UInt8], id: RequestID, sentAs sentID: RequestID, toChild child: Int) {
        let start = toChildren[child]?.count ?? 0
        send(line, toChild: child)
        forwardedCalls.append(ForwardedCall(id: id, child: child, range: start..<start + line.count, sentID: sentID))
    }

    /// Takes the line of the client's call `id` out of ``toChildren``; false when it holds none.
    mutating func takeOut(call id: RequestID) -> Bool {
        guard let index = forwardedCalls.firstIndex(where: { $0.id == id }) else { return false }
        let taken = forwardedCalls.remove(at: index)
        toChildren[taken.child]?.removeSubrange(taken.range)
        if toChildren[taken.child]?.isEmpty == true { toChildren[taken.child] = nil }
        for other in forwardedCalls.indices where forwardedCalls[other].child == taken.child && forwardedCalls[other].range.lowerBound >= taken.range.upperBound {
            forwardedCalls[other].range = forwardedCalls[other].range.lowerBound - taken.range.count..<forwardedCalls[other].range.upperBound - taken.range.count
        }
        return true
    }

    /// Adds a diagnostic.
    public mutating func log(_ message: String) {
        logs.append(message)
    }

    /// Appends everything `other` asks for after what this asks for.
    public mutating func append(_ other: HostActions) {
        toClient.append(contentsOf: other.toClient)
        for call in other.forwardedCalls {
            let offset = toChildren[call.child]?.count ?? 0
            var moved = call
            moved.range = call.range.lowerBound + offset..<call.range.upperBound + offset
            forwardedCalls.append(moved)
        }
        for (child, bytes) in other.toChildren { toChildren[child, default: []].append(contentsOf: bytes) }
        logs.append(contentsOf: other.logs)
        approvers.append(contentsOf: other.approvers)
        cancelledApprovers.append(contentsOf: other.cancelledApprovers)
        stop = stop ?? other.stop
    }

    /// Whether there is nothing to do.
    public var isEmpty: Bool { toClient.isEmpty && toChildren.isEmpty && logs.isEmpty && approvers.isEmpty && cancelledApprovers.isEmpty && stop == nil }
}
