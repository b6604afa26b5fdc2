/// What a server's sandbox asks for (`servers.X.sandbox`, or `tollgate run --sandbox ...`):
/// the paths it may read, write and execute beyond its preset, and its network.
///
/// Paths are absolute (the manifest made them so). Everything not granted is refused by the
/// kernel (Landlock) for the server and everything it starts; see ``SandboxPlan``.
public struct SandboxSpec: Sendable, Equatable {
    /// The runtime paths a server of this kind needs (``SandboxPreset``).
    public var preset: SandboxPreset
    /// Paths the server may read (files, and directories with what is beneath them).
    public var read: [String] = []
    /// Paths the server may read and write: create, change, remove, rename. Never execute.
    public var write: [String] = []
    /// Paths the server may read and execute (programs it runs beyond its preset's).
    public var execute: [String] = []
    /// What the server may reach on the network.
    public var network: SandboxNetwork = .none
    /// Whether a sandbox the kernel cannot provide stops the server (true, the default) or lets
    /// it run unsandboxed with a warning and an audit record (false).
    public var required = true
    /// The least Landlock ABI version the kernel must offer (`landlockABI`, default 1).
    public var minimumABI = 1

    public init(preset: SandboxPreset, read: [String] = [], write: [String] = [], execute: [String] = [],
                network: SandboxNetwork = .none, required: Bool = true, minimumABI: Int = 1) {
        self.preset = preset
        self.read = read
        self.write = write
        self.execute = execute
        self.network = network
        self.required = required
        self.minimumABI = minimumABI
    }

    /// The sandbox as people read it: `preset python, read 1 path, write 2, network none`.
    public var summary: String {
        var parts = ["preset \(preset.rawValue)"]
        for (name, paths) in [("read", read), ("write", write), ("execute", execute)] where !paths.isEmpty {
            parts.append("\(name) \(paths.joined(separator: " "))")
        }
        parts.append("network \(network.summary)")
        if !required { parts.append("not required") }
        return parts.joined(separator: ", ")
    }
}

/// What a sandboxed server may reach on the network.
public enum SandboxNetwork: Sendable, Equatable {
    /// A network namespace of its own with only loopback: no route out, UDP included.
    case none
    /// Tollgate's network, unchanged.
    case allow
    /// A network namespace of its own; a proxy Tollgate serves on its loopback (HTTP `CONNECT`
    /// and plain HTTP) connects to these `host:port` patterns only (see ``SandboxProxy``).
    case allowHosts([HostPortPattern])

    /// `none`, `allow`, or the patterns.
    public var summary: String {
        switch self {
        case .none: "none"
        case .allow: "allow"
        case .allowHosts(let patterns): "allowHosts " + (patterns.isEmpty ? "(none)" : patterns.map(\.written).joined(separator: " "))
        }
    }

    /// Whether the server gets a network namespace of its own.
    var isolates: Bool {
        if case .allow = self { return false }
        return true
    }
}
