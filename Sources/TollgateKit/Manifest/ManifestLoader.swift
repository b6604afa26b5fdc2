/// Reads and validates manifests. Loading is strict and fails closed: an unknown or misspelt key,
/// a wrong type, a bad glob, a bad regex or an unsupported schema keyword stops Tollgate with
/// every problem listed (file, line, key path, what was expected).
public enum ManifestLoader {
    /// The manifest format versions this Tollgate reads.
    public static let supportedVersions = 1...1

    /// Loads and validates a manifest file.
    public static func load(path: String, options: ManifestLoadOptions = ManifestLoadOptions()) throws(ManifestError) -> Manifest {
        let bytes: [UInt8]
        do throws(FileError) {
            bytes = try FileIO.read(path)
        } catch {
            let place = path.hasPrefix("/") ? "" : " (relative to the working directory \(FileIO.currentDirectory()))"
            throw ManifestError([ManifestIssue(file: path, line: 0, column: 0, path: "", message: "cannot read the manifest: \(error.reason)\(place)")])
        }
        return try parse(SourceText(path: path, bytes: bytes), options: options)
    }

    /// Validates a manifest's text. Relative paths in it are taken relative to the folder of
    /// `source.path` (the working directory for a path without one, such as standard input's).
    public static func parse(_ source: SourceText, options: ManifestLoadOptions = ManifestLoadOptions()) throws(ManifestError) -> Manifest {
        let root: SourceValue
        do throws(JSONScanError) {
            root = try source.parse()
        } catch {
            let (line, column) = source.location(of: error.offset)
            throw ManifestError([ManifestIssue(file: source.path, line: line, column: column, path: "", message: "not valid JSON: \(error)")])
        }
        let folder = FileIO.directory(of: source.path)
        let manifestDirectory = FileIO.realPath(folder) ?? FileIO.absolute(folder, base: FileIO.currentDirectory())
        var secrets = options.secrets
        if let node = root["budgets"]?["storePassword"], case .string(let text) = node.kind, let name = storePasswordVariable(text) {
            secrets.append(name)
        }
        var decoder = ManifestDecoder(source: source, variables: ManifestVariables(environment: options.environment, manifestDirectory: manifestDirectory,
                                                                                   secrets: secrets))
        decoder.resolvesSpendScopes = options.resolvesSpendScopes
        decoder.runID = options.runID
        var manifest = Manifest(file: source.path, policy: Manifest.Policy(), servers: [], tools: [])
        manifest.directory = manifestDirectory
        let sections = ["$schema", "version", "policy", "servers", "tools", "budgets", "audit", "aggregation", "telemetry"]
        guard let members = decoder.members(root, path: "", allowed: sections) else { throw ManifestError(decoder.issues) }
        if root["version"] == nil {
            decoder.report("missing key \"version\"; expected \"version\": 1", at: root, path: "version")
        }
        for member in members {
            let node = member.value
            switch member.key {
            case "$schema":
                _ = decoder.string(node, path: "$schema")
            case "version":
                _ = decoder.integer(node, path: "version", range: supportedVersions)
            case "policy":
                manifest.policy = decodePolicy(node, decoder: &decoder)
            case "servers":
                let unset = decoder.unsetVariables.count
                manifest.servers = decodeServers(node, directory: manifestDirectory, decoder: &decoder)
                // A server the command line names replaces these entries: their variables need not
                // be set, but for the sandbox of the one server it replaces, which it runs in.
                if options.serverDirectory != nil {
                    let sandbox = manifest.servers.count == 1 ? "servers.\(manifest.servers[0].name).sandbox" : nil
                    decoder.forgetUnsetVariables(after: unset) { issue in
                        sandbox.map { issue.path == $0 || issue.path.hasPrefix($0 + ".") } ?? false
                    }
                }
            case "tools":
                break  // after servers, whose working directory relative paths in calls need
            case "audit":
                manifest.audit = decodeAudit(node, directory: manifestDirectory, decoder: &decoder)
            case "budgets":
                manifest.budgets = decodeBudgets(node, directory: manifestDirectory, decoder: &decoder)
            case "aggregation":
                manifest.aggregation = decodeAggregation(node, decoder: &decoder)
            case "telemetry":
                manifest.telemetry = decodeTelemetry(node, directory: manifestDirectory, decoder: &decoder)
            default:
                break
            }
        }
        if let tools = root["tools"] {
            let workingDirectory = options.serverDirectory ?? manifest.defaultServer?.workingDirectory ?? manifestDirectory
            manifest.tools = decodeTools(tools, context: SchemaContext(workingDirectory: workingDirectory), decoder: &decoder)
        }
        manifest.tools += decodeServerTools(manifest, root: root, serverDirectory: options.serverDirectory, decoder: &decoder)
        checkStoreAmounts(manifest, root: root, decoder: &decoder)
        checkServerNames(manifest, root: root, decoder: &decoder)
        manifest.sha256 = Hex.encode(SHA256.hash(source.bytes))
        manifest.requiredPaths = decoder.requiredPaths
        var issues = decoder.issues
        if options.allowsUnsetVariables {
            manifest.unsetVariables = decoder.unsetVariables
        } else {
            issues += decoder.unsetVariables
        }
        guard issues.isEmpty else {
            throw ManifestError(issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return manifest
    }

    private static func decodePolicy(_ node: SourceValue, decoder: inout ManifestDecoder) -> Manifest.Policy {
        var policy = Manifest.Policy()
        for member in decoder.members(node, path: "policy", allowed: ["default", "mode", "validateInput", "defaultTimeoutSeconds", "approvalTimeoutSeconds"]) ?? [] {
            let path = "policy.\(member.key)"
            switch member.key {
            case "default":
                if let decision: Manifest.DefaultDecision = decoder.choice(member.value, path: path) { policy.defaultDecision = decision }
            case "mode":
                if let mode: Manifest.Mode = decoder.choice(member.value, path: path) { policy.mode = mode }
            case "approvalTimeoutSeconds":
                if let seconds = decoder.integer(member.value, path: path, range: 1...86_400) { policy.approvalTimeoutSeconds = seconds }
            case "defaultTimeoutSeconds":
                policy.defaultTimeoutMilliseconds = timeoutMilliseconds(member.value, path: path, decoder: &decoder)
            default:
                if let flag = decoder.bool(member.value, path: path) { policy.validateInput = flag }
            }
        }
        return policy
    }

    private static func decodeServers(_ node: SourceValue, directory: String, decoder: inout ManifestDecoder) -> [Manifest.Server] {
        var servers: [Manifest.Server] = []
        for entry in decoder.namedMembers(node, path: "servers") {
            let path = ManifestDecoder.join("servers", entry.key)
            if !isValidServerName(entry.key) {
                decoder.report("a server name may hold letters, digits, '_' and '-' only", atOffset: entry.keyOffset, path: path)
            }
            var command: String?
            var arguments: [String] = []
            var environment = ServerEnvironment()
            var limits = ResourceLimits()
            var workingDirectory = directory
            var prefix = true
            var startTimeout = Manifest.Server.defaultStartTimeoutMilliseconds
            var restart = RestartPolicy()
            var sandbox: SandboxSpec?
            // Only what holds no unset variable can be looked for (check warns about those anyway).
            var commandIsComplete = false
            var directoryIsComplete = false
            let allowed = ["command", "args", "env", "cwd", "limits", "prefix", "startTimeoutSeconds", "tools", "sandbox"] + restartKeys
            for member in decoder.members(entry.value, path: path, allowed: allowed) ?? [] {
                let memberPath = "\(path).\(member.key)"
                switch member.key {
                case "command":
                    let unset = decoder.unsetVariables.count
                    command = decoder.expandedString(member.value, path: memberPath)
                    commandIsComplete = decoder.unsetVariables.count == unset
                case "args": arguments = decoder.expandedStrings(member.value, path: memberPath) ?? []
                case "env": environment = decodeEnvironment(member.value, path: memberPath, decoder: &decoder)
                case "limits": limits = decodeLimits(member.value, path: memberPath, decoder: &decoder)
                case "sandbox": sandbox = decodeSandbox(member.value, path: memberPath, decoder: &decoder)
                case "prefix": prefix = decoder.bool(member.value, path: memberPath) ?? true
                case "startTimeoutSeconds":
                    startTimeout = timeoutMilliseconds(member.value, path: memberPath, decoder: &decoder) ?? startTimeout
                case _ where restartKeys.contains(member.key):
                    decodeRestart(member, path: memberPath, into: &restart, decoder: &decoder)
                case "tools":
                    break  // once every server is known (decodeServerTools)
                default:
                    let unset = decoder.unsetVariables.count
                    if let text = decoder.expandedString(member.value, path: memberPath) {
                        workingDirectory = FileIO.absolute(text, base: directory)
                    }
                    directoryIsComplete = decoder.unsetVariables.count == unset
                }
            }
            if entry.value["command"] == nil, case .object = entry.value.kind {
                decoder.report("missing key \"command\"; expected the server's executable", at: entry.value, path: path)
            }
            if directoryIsComplete, let node = entry.value["cwd"] { decoder.require(workingDirectory, .directory, at: node, path: "\(path).cwd") }
            if commandIsComplete, let command, let node = entry.value["command"] {
                let parent = decoder.variables.environment
                let searchPath = environment.resolve(parent: parent).map { $0["PATH"] } ?? parent["PATH"]
                decoder.require(command, .command(searchPath: searchPath, workingDirectory: workingDirectory), at: node, path: "\(path).command")
            }
            if let command {
                servers.append(Manifest.Server(name: entry.key, arguments: [command] + arguments,
                                               environment: environment, workingDirectory: workingDirectory, limits: limits, prefix: prefix,
                                               startTimeoutMilliseconds: startTimeout, restart: restart, sandbox: sandbox))
            }
        }
        return servers
    }

    private static func decodeAudit(_ node: SourceValue, directory: String, decoder: inout ManifestDecoder) -> Manifest.Audit? {
        guard let members = decoder.members(node, path: "audit", allowed: ["path", "arguments", "maxArgumentBytes", "fsync", "rotateMB",
                                                                            "checkpointSeconds", "checkpointFile"]) else { return nil }
        guard node["path"] != nil else {
            decoder.report("missing key \"path\"; expected the audit log's file", at: node, path: "audit")
            return nil
        }
        var audit = Manifest.Audit(path: "")
        for member in members {
            let path = "audit.\(member.key)"
            switch member.key {
            case "path":
                if let file = decoder.expandedFile(member.value, path: path, directory: directory) { audit.path = file }
            case "arguments":
                if let mode: AuditRedaction.Mode = decoder.choice(member.value, path: path) { audit.arguments = mode }
            case "maxArgumentBytes":
                if let bytes = decoder.integer(member.value, path: path, range: AuditArguments.maxBytesRange) { audit.maxArgumentBytes = bytes }
            case "fsync":
                if let durability: AuditLog.Durability = decoder.choice(member.value, path: path) { audit.fsync = durability }
            case "checkpointSeconds":
                if let seconds = decoder.integer(member.value, path: path, range: 1...86_400) { audit.checkpointSeconds = seconds }
            case "checkpointFile":
                audit.checkpointFile = decoder.expandedFile(member.value, path: path, directory: directory)
            default:
                audit.rotateMB = decoder.integer(member.value, path: path, range: 1...1_000_000)
            }
        }
        return audit.path.isEmpty ? nil : audit
    }

    static func isValidServerName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The rules of a `tools` section (`section`: `tools` or `servers.NAME.tools`); each key is
    /// matched against `prefix` + the name the client calls (a server's own rules are exposed
    /// under its prefix).
    static func decodeTools(_ node: SourceValue, section: String = "tools", prefix: String = "", context: SchemaContext,
                            decoder: inout ManifestDecoder) -> [Manifest.ToolRule] {
        var rules: [Manifest.ToolRule] = []
        for entry in decoder.namedMembers(node, path: section) {
            let path = ManifestDecoder.join(section, entry.key)
            let pattern = prefix + entry.key
            let matcher: NameMatcher
            do {
                matcher = try NameMatcher(pattern: pattern)
            } catch {
                decoder.report("bad tool name or glob: \(error)", atOffset: entry.keyOffset, path: path)
                continue
            }
            var rule = Manifest.ToolRule(pattern: pattern, matcher: matcher, allow: true, reason: nil, arguments: nil,
                                         line: decoder.source.location(of: entry.keyOffset).line)
            rule.section = section
            rule.key = entry.key
            let keys = ["allow", "reason", "arguments", "pin", "approval", "budget", "rate", "burst", "cost", "maxResultTokens", "timeoutSeconds"]
            var rate: RateSpec?
            var burst: Int64?
            rule.budget.rule = pattern
            for member in decoder.members(entry.value, path: path, allowed: keys) ?? [] {
                let memberPath = "\(path).\(member.key)"
                if decodeRuleBudgetKey(member, rulePath: path, into: &rule.budget, rate: &rate, burst: &burst, decoder: &decoder) { continue }
                switch member.key {
                case "allow": rule.allow = decoder.bool(member.value, path: memberPath) ?? false
                case "reason": rule.reason = decoder.string(member.value, path: memberPath)
                case "pin": rule.pin = decodePin(member.value, exact: matcher.isExact, path: memberPath, decoder: &decoder)
                case "approval": rule.approval = decodeApproval(member.value, path: memberPath, decoder: &decoder)
                case "timeoutSeconds": rule.timeoutMilliseconds = timeoutMilliseconds(member.value, path: memberPath, decoder: &decoder)
                default:
                    let schema = expandingVariables(in: member.value, path: memberPath, decoder: &decoder)
                    switch ArgumentSchema.compileStrictly(schema.json, context: context) {
                    case .success(let compiled):
                        rule.arguments = compiled
                    case .failure(let failure):
                        for error in failure.errors {
                            let node = member.value.descendant(error.path) ?? member.value
                            decoder.report(error.message, at: node, path: ([memberPath] + error.path).joined(separator: "."))
                        }
                    }
                }
            }
            rule.budget.rate = rateLimit(rate, burst: burst, node: entry.value, path: path, decoder: &decoder)
            rules.append(rule)
        }
        return rules
    }

    /// A rule's `pin`: `sha256:` and 64 lowercase hex digits, on a rule for one tool name.
    private static func decodePin(_ node: SourceValue, exact: Bool, path: String, decoder: inout ManifestDecoder) -> ToolPin? {
        guard let text = decoder.string(node, path: path) else { return nil }
        guard let pin = ToolPin(text) else {
            decoder.report("expected \"sha256:\" and 64 lowercase hex digits (as tollgate init or tollgate pin write it), found \"\(text)\"", at: node, path: path)
            return nil
        }
        guard exact else {
            decoder.report("a pin belongs to one tool: put it on a rule whose key is a tool name, not a glob", at: node, path: path)
            return nil
        }
        return pin
    }

    /// A rule's `approval`: `"ask"`, or `{"command": [...], "ask": true|false}`.
    private static func decodeApproval(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> ApprovalRule? {
        if case .string = node.kind {
            return decoder.choice(node, path: path, among: ["ask"]) == nil ? nil : ApprovalRule()
        }
        guard case .object = node.kind else {
            decoder.report("expected \"ask\" or an object with \"command\", found \(node.typeName)", at: node, path: path)
            return nil
        }
        var approval = ApprovalRule()
        for member in decoder.members(node, path: path, allowed: ["command", "ask"]) ?? [] {
            let memberPath = "\(path).\(member.key)"
            if member.key == "ask" {
                approval.asksClient = decoder.bool(member.value, path: memberPath) ?? true
                continue
            }
            let unsetBefore = decoder.unsetVariables.count
            if var command = decoder.expandedStrings(member.value, path: memberPath) {
                if command.isEmpty || command[0].isEmpty {
                    decoder.report("expected the approver's command and its arguments, e.g. [\"/usr/local/bin/approve\", \"--team\", \"ops\"]", at: member.value, path: memberPath)
                } else {
                    // A command with a slash is a path, from the manifest's folder; without one it is looked up on PATH.
                    if command[0].utf8.contains(UInt8(ascii: "/")) { command[0] = FileIO.absolute(command[0], base: decoder.variables.manifestDirectory) }
                    if let first = member.value.descendant(["0"]), decoder.unsetVariables.count == unsetBefore {
                        decoder.require(command[0], .command(searchPath: decoder.variables.environment["PATH"], workingDirectory: FileIO.currentDirectory()),
                                        at: first, path: "\(memberPath)[0]")
                    }
                    approval.command = command
                }
            }
        }
        if node["command"] == nil {
            decoder.report("missing key \"command\"; expected the approver's command (or write \"approval\": \"ask\")", at: node, path: path)
        }
        return approval
    }
}
