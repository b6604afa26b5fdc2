/// What an ``AuditLog`` did, for diagnostics and tests.
public struct AuditStats: Sendable, Equatable {
    /// `write`s of records to the log (a group commit writes its records in one).
    public var writes: Int
    /// Records written.
    public var records: Int
    /// `fdatasync`s made before a write returned (``AuditLog/Durability/always``).
    public var syncs: Int
}
