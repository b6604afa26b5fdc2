/// A forwarded call's end: the server answered, failed, went away, or the call timed out.
public struct CallEnd: Sendable {
    /// The request's id.
    public var id: RequestID
    /// How it ended.
    public var outcome: CallOutcome
    /// The server that ran it, when the gate fronts several (nil: the only one).
    public var server: String?
    /// When it ended (monotonic nanoseconds).
    public var time: Int64

    public init(id: RequestID, outcome: CallOutcome, server: String? = nil, time: Int64 = SystemClock.monotonicNanoseconds()) {
        self.id = id
        self.outcome = outcome
        self.server = server
        self.time = time
    }
}
