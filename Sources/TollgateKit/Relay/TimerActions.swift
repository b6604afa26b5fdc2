/// What the relay's I/O layer must do when the session's timers fire (``RelaySession/tick(now:)``):
/// lines for the client, lines for the server, and diagnostics. Lines end with their newline.
public struct TimerActions: Sendable, Equatable {
    /// Lines to write to the client (answers to requests that timed out).
    public var toClient: [UInt8] = []
    /// Lines to write to the server (`notifications/cancelled`).
    public var toServer: [UInt8] = []
    /// Diagnostics for stderr.
    public var logs: [String] = []
    /// Tokens of running approvers whose held calls timed out: the I/O layer stops them.
    public var cancelledApprovers: [Int] = []

    public init(toClient: [UInt8] = [], toServer: [UInt8] = [], logs: [String] = []) {
        self.toClient = toClient
        self.toServer = toServer
        self.logs = logs
    }

    /// Whether there is nothing to do.
    public var isEmpty: Bool { toClient.isEmpty && toServer.isEmpty && logs.isEmpty }
}
