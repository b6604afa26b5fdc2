/// Where and how often the audit log's chain is checkpointed (see ``AuditCheckpoint``).
public struct CheckpointSettings: Sendable {
    /// The log checkpointed.
    public var log: AuditLog
    /// A file each checkpoint is appended to (one JSON line, synced), when set.
    public var file: String?
    /// The time between checkpoints.
    public var intervalMilliseconds: Int64

    public init(log: AuditLog, file: String?, intervalMilliseconds: Int64) {
        self.log = log
        self.file = file
        self.intervalMilliseconds = intervalMilliseconds
    }
}
