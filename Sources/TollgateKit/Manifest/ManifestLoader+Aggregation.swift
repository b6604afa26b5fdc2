/// How several servers are offered as one: `aggregation.separator` and `servers.X.prefix`.
extension ManifestLoader {
    /// The longest separator accepted.
    static let maxSeparatorLength = 8

    static func decodeAggregation(_ node: SourceValue, decoder: inout ManifestDecoder) -> Manifest.Aggregation {
        var aggregation = Manifest.Aggregation()
        for member in decoder.members(node, path: "aggregation", allowed: ["separator"]) ?? [] {
            let path = "aggregation.\(member.key)"
            guard let text = decoder.string(member.value, path: path) else { continue }
            // Exposed names must stay tool names (A-Z a-z 0-9 _ - .), so the separator is made of those.
            let valid = text.utf8.count <= maxSeparatorLength && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
            guard valid else {
                decoder.report("expected 1 to \(maxSeparatorLength) of the characters A-Z a-z 0-9 _ - . (tool names allow no others), found \"\(text)\"",
                               at: member.value, path: path)
                continue
            }
            aggregation.separator = text
        }
        return aggregation
    }

    /// With several servers, a prefixed server's name must not hold the separator (or
    /// `server__tool` would not split back unambiguously).
    static func checkServerNames(_ manifest: Manifest, root: SourceValue, decoder: inout ManifestDecoder) {
        guard manifest.servers.count > 1, case .object(let entries)? = root["servers"]?.kind else { return }
        let separator = manifest.aggregation.separator
        for server in manifest.servers where server.prefix && server.name.contains(separator) {
            guard let entry = entries.first(where: { $0.key == server.name }) else { continue }
            decoder.report("the server name holds the separator \"\(separator)\", so its prefixed tool names would be ambiguous; "
                           + "rename it or set aggregation.separator", atOffset: entry.keyOffset, path: ManifestDecoder.join("servers", server.name))
        }
    }

    /// The keys of a server entry that say how it is restarted.
    static let restartKeys = ["restart", "maxRestarts", "keepListed", "restartBackoffSeconds"]

    /// One of ``restartKeys``.
    static func decodeRestart(_ member: SourceValue.Member, path: String, into restart: inout RestartPolicy, decoder: inout ManifestDecoder) {
        switch member.key {
        case "restart":
            if let mode: RestartPolicy.Mode = decoder.choice(member.value, path: path) { restart.mode = mode }
        case "maxRestarts":
            if let count = decoder.integer(member.value, path: path, range: 0...RestartPolicy.maxRestartsLimit) { restart.maxRestarts = count }
        case "keepListed":
            if let keep = decoder.bool(member.value, path: path) { restart.keepListed = keep }
        default:
            if let milliseconds = timeoutMilliseconds(member.value, path: path, decoder: &decoder) {
                guard milliseconds <= RestartPolicy.maxBackoffMilliseconds else {
                    decoder.report("expected at most \(RestartPolicy.maxBackoffMilliseconds / 1000) seconds (the longest wait between restarts)",
                                   at: member.value, path: path)
                    return
                }
                restart.backoffMilliseconds = milliseconds
            }
        }
    }

    /// Each server's own `tools` section: its keys match the server's own tool names, exposed
    /// as `NAME<separator>TOOL` when several servers are aggregated with prefixes (as is). A key
    /// that exposes the same pattern as another rule is an error.
    static func decodeServerTools(_ manifest: Manifest, root: SourceValue, serverDirectory: String?, decoder: inout ManifestDecoder) -> [Manifest.ToolRule] {
        guard case .object(let entries)? = root["servers"]?.kind else { return [] }
        var rules: [Manifest.ToolRule] = []
        var seen: [String: Manifest.ToolRule] = [:]
        for rule in manifest.tools { seen[rule.pattern] = rule }
        for server in manifest.servers {
            guard let entry = entries.first(where: { $0.key == server.name }), let node = entry.value["tools"] else { continue }
            let prefix = manifest.servers.count > 1 && server.prefix ? server.name + manifest.aggregation.separator : ""
            let context = SchemaContext(workingDirectory: serverDirectory ?? server.workingDirectory)
            let section = ManifestDecoder.join(ManifestDecoder.join("servers", server.name), "tools")
            for rule in decodeTools(node, section: section, prefix: prefix, context: context, decoder: &decoder) {
                if let other = seen[rule.pattern] {
                    decoder.report("this rule is \(rule.pattern) as the client sees it, like \(other.name) (line \(other.line)); keep one",
                                   at: node[rule.key ?? ""] ?? node, path: rule.name)
                    continue
                }
                seen[rule.pattern] = rule
                rules.append(rule)
            }
        }
        return rules
    }
}
