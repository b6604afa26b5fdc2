/// A call held for approval: its span starts here, and ends after the ``CallDecision`` that follows.
public struct CallHold: Sendable {
    /// The request's id.
    public var id: RequestID
    /// When it was held (monotonic nanoseconds).
    public var time: Int64

    public init(id: RequestID, time: Int64 = SystemClock.monotonicNanoseconds()) {
        self.id = id
        self.time = time
    }
}
