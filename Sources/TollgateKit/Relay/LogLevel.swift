import Synchronization

/// How much Tollgate writes about itself on stderr (`run --log-level`, `--quiet`). A server's own
/// stderr is not Tollgate's and always passes.
public enum LogLevel: Int, Sendable, CaseIterable, Comparable {
    /// Only what stops Tollgate or keeps a call from being recorded.
    case error
    /// Also problems Tollgate works around, denials and would-be denials (and anything not marked
    /// otherwise).
    case warning
    /// Also what is in force at start and what the server's first tool listing offers and hides.
    case info

    /// The level named on the command line (`error`, `warning`, `info`).
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = level
    }

    /// The name on the command line.
    public var name: String {
        switch self {
        case .error: "error"
        case .warning: "warning"
        case .info: "info"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The most detailed level written, for the whole process (set once at start).
    public static var threshold: LogLevel {
        get { LogLevel(rawValue: current.load(ordering: .relaxed)) ?? .info }
        set { current.store(newValue.rawValue, ordering: .relaxed) }
    }

    private static let current = Atomic<Int>(LogLevel.info.rawValue)
}
