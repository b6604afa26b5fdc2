/// The two eras of MCP that travel side by side.
public enum ProtocolEra: Sendable, Equatable {
    /// Up to 2025-11-25: a session opened by `initialize`; results carry no `resultType`.
    case session
    /// 2026-07-28 and later: stateless; each request names its version in
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]` and every result carries `resultType`.
    case stateless

    /// The `_meta` key that names a stateless request's protocol version.
    public static let versionMetaKey = "io.modelcontextprotocol/protocolVersion"

    /// The first stateless protocol version.
    public static let firstStatelessVersion = "2026-07-28"

    /// The era a version string belongs to (versions are dates, so they order as text).
    public init(version: String) {
        self = version >= Self.firstStatelessVersion ? .stateless : .session
    }

    /// The era of a request, judged from its params: a version in `_meta` marks it stateless.
    public init(params: JSONObject?) {
        if case .string(let version)? = params?["_meta"]?[Self.versionMetaKey] {
            self.init(version: version)
        } else {
            self = .session
        }
    }
}
