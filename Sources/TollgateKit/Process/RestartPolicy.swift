/// Whether and how a server that ended is started again, when Tollgate aggregates several
/// servers (`servers.X.restart`, `maxRestarts`, `keepListed`, `restartBackoffSeconds`).
public struct RestartPolicy: Sendable, Equatable {
    /// When a server is restarted.
    public enum Mode: String, Sendable, CaseIterable {
        /// When it fails: exits with a status other than 0, or is killed by a signal.
        case onFailure = "on-failure"
        /// Never: its calls are denied from then on.
        case never
    }

    /// When it is restarted (default: on failure).
    public var mode = Mode.onFailure
    /// How many restarts in a row it gets before it is given up (default 5); a server that ran
    /// for ``healthyMilliseconds`` before failing starts the count again.
    public var maxRestarts = 5
    /// Whether its tools stay in `tools/list` while it is down (calls to them are denied
    /// `server_unavailable` meanwhile); by default they leave the list and come back with it.
    public var keepListed = false
    /// The wait before the first restart (default 0.5 s); it doubles with each restart in a row,
    /// up to ``maxBackoffMilliseconds``.
    public var backoffMilliseconds: Int64 = 500

    /// The longest wait between restarts.
    public static let maxBackoffMilliseconds: Int64 = 30_000
    /// How long a server must run for its failure to count as the first in a row again.
    public static let healthyMilliseconds: Int64 = 60_000
    /// The most restarts in a row a manifest may allow.
    public static let maxRestartsLimit = 1000

    /// The default: restarted on failure, 5 times in a row, after 0.5 s, 1 s, 2 s, 4 s, 8 s.
    public init() {}
}
