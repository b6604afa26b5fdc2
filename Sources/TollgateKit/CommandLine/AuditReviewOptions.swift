/// What `tollgate audit log` and `tollgate audit summary` read and how they show it.
public struct AuditReviewOptions: Sendable, Equatable {
    /// The manifest whose `audit.path` names the log, when no file is given (default `tollgate.json`).
    public var manifestPath: String?
    /// `--denied`, `--tool GLOB`, `--code CODE`, `--agent A` (its times come from ``since`` and ``until``).
    public var filter = AuditFilter()
    /// `--since DURATION|TIME`.
    public var since: AuditTimeSpec?
    /// `--until TIME`.
    public var until: AuditTimeSpec?
    /// `--follow`: keep showing calls as they are recorded.
    public var follow = false
    /// `--json`.
    public var json = false
    /// Whether the chain is checked (`--no-verify` turns it off).
    public var verify = true

    public init() {}

    /// The filter of `audit log`, with the times resolved against `now`.
    public func resolvedFilter(now: AuditTimestamp) -> AuditFilter {
        var filter = filter
        filter.since = since?.timestamp(now: now)
        filter.until = until?.timestamp(now: now)
        return filter
    }
}
