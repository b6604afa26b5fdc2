/// A server's sandbox as a process configuration carries it: what it asks for, whose it is (for
/// messages and records), and the audit log the proxy records connections in.
public struct Sandbox: Sendable, Equatable {
    public var spec: SandboxSpec
    /// The server's name, if it has one.
    public var server: String?
    /// The audit log, when the manifest has one: the proxy's connections and a server that runs
    /// unsandboxed are recorded there.
    public var audit: AuditLog?

    public init(spec: SandboxSpec, server: String? = nil, audit: AuditLog? = nil) {
        self.spec = spec
        self.server = server
        self.audit = audit
    }

    public static func == (lhs: Sandbox, rhs: Sandbox) -> Bool {
        lhs.spec == rhs.spec && lhs.server == rhs.server && lhs.audit === rhs.audit
    }
}
