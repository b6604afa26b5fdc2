/// What `tollgate audit log` and `tollgate audit summary` read and how they show it.
struct AuditReviewOptions: Sendable, Equatable {
    /// The manifest whose `audit.path` names the log, when no file is given (default `tollgate.json`).
    var manifestPath: String?
    /// `--denied`, `--tool GLOB`, `--code CODE`, `--agent A` (its times come from ``since`` and ``until``).
    var filter = AuditFilter()
    /// `--since DURATION|TIME`.
    var since: AuditTimeSpec?
    /// `--until TIME`.
    var until: AuditTimeSpec?
    /// `--follow`: keep showing calls as they are recorded.
    var follow = false
    /// `--json`.
    var json = false
    /// Whether the chain is checked (`--no-verify` turns it off).
    var verify = true

    init() {}

    /// The filter of `audit log`, with the times resolved against `now`.
    func resolvedFilter(now: AuditTimestamp) -> AuditFilter {
        var filter = filter
        filter.since = since?.timestamp(now: now)
        filter.until = until?.timestamp(now: now)
        return filter
    }
}
