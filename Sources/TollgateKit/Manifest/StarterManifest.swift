/// The manifest `tollgate init` proposes for a server: default deny, and one rule per tool with
/// a decision read from the tool's annotations, for a human to review.
public struct StarterManifest: Sendable {
    /// The server's name in `servers`.
    public var serverName: String
    /// The server's command and arguments.
    public var command: [String]
    /// The tools the server listed (each a tool definition object).
    public var tools: [JSONObject]
    /// The server's working directory (`cwd`): where `init` ran it, so relative arguments keep
    /// their meaning wherever the manifest is used.
    public var workingDirectory: String?
    /// The `$schema` line (where editors find the manifest format's schema), if any.
    public var schema: String?
    /// The policy's mode: enforce, or monitor for `tollgate wrap` (nothing breaks on day one).
    public var mode = Manifest.Mode.enforce
    /// The audit log (`audit.path`), if any: `tollgate wrap` records the would-be denials there.
    public var auditLog: String?
    /// The server's proposed `sandbox` section (`tollgate init`), if any.
    public var sandbox: JSONValue?

    public init(serverName: String, command: [String], tools: [JSONObject], workingDirectory: String? = nil, schema: String? = nil) {
        self.serverName = serverName
        self.command = command
        self.tools = tools
        self.workingDirectory = workingDirectory
        self.schema = schema
    }

    /// A server name derived from a command: the module after `-m`, else the first word that is
    /// not an interpreter, a launcher or an option, without `mcp-server-`-style prefixes
    /// (`uvx mcp-server-git --repository .` → `git`).
    public static func serverName(for command: [String]) -> String {
        let launchers: Set<String> = ["python", "python3", "node", "npx", "uvx", "uv", "bun", "bunx", "deno", "sh", "bash", "env", "pipx", "run", "tool", "exec"]
        var candidate: String?
        var words = command[...]
        while let word = words.popFirst() {
            if word == "-m", let module = words.first { candidate = module; break }
            if word.hasPrefix("-") || word.contains("=") { continue }
            let base = word.split(separator: "/").last.map(String.init) ?? word
            if launchers.contains(base) || base.hasPrefix("python") { continue }
            candidate = base
            break
        }
        var name = candidate ?? "server"
        for prefix in ["@modelcontextprotocol/server-", "mcp-server-", "mcp_server_", "server-"] where name.hasPrefix(prefix) && name.count > prefix.count {
            name.removeFirst(prefix.count)
        }
        for suffix in [".py", ".js", ".ts", ".mjs"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        let cleaned = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-") ? Character(scalar) : "_"
        })
        return cleaned.isEmpty ? "server" : String(cleaned.prefix(64))
    }

    /// The proposed rule for one tool: read-only tools allowed, destructive and unannotated
    /// tools denied with a reason to review.
    public static func proposedRule(for tool: JSONObject) -> JSONObject {
        let annotations = tool["annotations"]?.objectValue ?? JSONObject()
        var rule = JSONObject()
        if annotations["destructiveHint"] == .bool(true) {
            rule["allow"] = false
            rule["reason"] = "destructive (destructiveHint): allow only after review, ideally with an \"arguments\" constraint"
        } else if annotations["readOnlyHint"] == .bool(true) {
            rule["allow"] = true
            rule["reason"] = "read-only (readOnlyHint)"
        } else {
            rule["allow"] = false
            rule["reason"] = "no readOnlyHint: review what this tool can change before allowing it"
        }
        return rule
    }

    /// The manifest as a JSON value.
    public var json: JSONValue {
        var server = JSONObject()
        server["command"] = .string(command.first ?? "")
        server["args"] = .array(command.dropFirst().map(JSONValue.string))
        if let workingDirectory { server["cwd"] = .string(workingDirectory) }
        if let sandbox { server["sandbox"] = sandbox }
        var rules = JSONObject()
        for tool in tools {
            guard let name = tool["name"]?.stringValue else { continue }
            var rule = Self.proposedRule(for: tool)
            rule["pin"] = .string(ToolPin(of: tool).description)
            rules[name] = .object(rule)
        }
        var manifest = JSONObject()
        if let schema { manifest["$schema"] = .string(schema) }
        manifest["version"] = 1
        manifest["policy"] = ["default": "deny", "mode": .string(mode.rawValue), "validateInput": true]
        var servers = JSONObject()
        servers[serverName] = .object(server)
        manifest["servers"] = .object(servers)
        manifest["tools"] = .object(rules)
        if let auditLog { manifest["audit"] = ["path": .string(auditLog)] }
        return .object(manifest)
    }
}
