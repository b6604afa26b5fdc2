/// A server's `sandbox` section (see ``SandboxSpec``).
extension ManifestLoader {
    static func decodeSandbox(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> SandboxSpec? {
        guard let members = decoder.members(node, path: path, allowed: ["preset", "filesystem", "network", "required", "landlockABI"]) else { return nil }
        var spec = SandboxSpec(preset: .binary)
        var preset: SandboxPreset?
        for member in members {
            let memberPath = "\(path).\(member.key)"
            switch member.key {
            case "preset": preset = decoder.choice(member.value, path: memberPath)
            case "filesystem": decodeSandboxFilesystem(member.value, path: memberPath, into: &spec, decoder: &decoder)
            case "network": spec.network = decodeSandboxNetwork(member.value, path: memberPath, decoder: &decoder) ?? SandboxNetwork.none
            case "required": spec.required = decoder.bool(member.value, path: memberPath) ?? true
            default: spec.minimumABI = decoder.integer(member.value, path: memberPath, range: 1...99) ?? 1
            }
        }
        guard let preset else {
            if node["preset"] == nil {
                let presets = SandboxPreset.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                decoder.report("missing key \"preset\"; expected the kind of server: \(presets)", at: node, path: path)
            }
            return nil
        }
        spec.preset = preset
        decoder.require("", .sandbox(spec), at: node, path: path)
        return spec
    }

    /// `filesystem`: `read`, `write` and `execute` lists of paths (variables expand; relative to the
    /// manifest's folder); each must exist where the manifest is used.
    private static func decodeSandboxFilesystem(_ node: SourceValue, path: String, into spec: inout SandboxSpec, decoder: inout ManifestDecoder) {
        for member in decoder.members(node, path: path, allowed: ["read", "write", "execute"]) ?? [] {
            let memberPath = "\(path).\(member.key)"
            guard case .array(let elements) = member.value.kind else {
                decoder.report("expected an array of paths, found \(member.value.typeName)", at: member.value, path: memberPath)
                continue
            }
            var paths: [String] = []
            for (index, element) in elements.enumerated() {
                let elementPath = "\(memberPath)[\(index)]"
                let unset = decoder.unsetVariables.count
                guard let text = decoder.expandedString(element, path: elementPath) else { continue }
                let absolute = normalized(FileIO.absolute(text, base: decoder.variables.manifestDirectory))
                if decoder.unsetVariables.count == unset { decoder.require(absolute, .existing, at: element, path: elementPath) }
                paths.append(absolute)
            }
            switch member.key {
            case "read": spec.read = paths
            case "write": spec.write = paths
            default: spec.execute = paths
            }
        }
        for write in spec.write {
            for execute in spec.execute where SandboxPlan.overlap(write, execute) {
                let node = node["write"] ?? node
                decoder.report("the write path \(write) and the execute path \(execute) overlap: nothing the server may write may be executed",
                               at: node, path: "\(path).write")
            }
        }
    }

    /// `network`: `"none"`, `"allow"` or `{"allowHosts": ["host:port", ...]}`.
    private static func decodeSandboxNetwork(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> SandboxNetwork? {
        if case .string = node.kind {
            return decoder.choice(node, path: path, among: ["none", "allow"]).map { $0 == "none" ? SandboxNetwork.none : SandboxNetwork.allow }
        }
        guard case .object = node.kind else {
            decoder.report("expected \"none\", \"allow\" or {\"allowHosts\": [\"host:port\", ...]}, found \(node.typeName)", at: node, path: path)
            return nil
        }
        guard let members = decoder.members(node, path: path, allowed: ["allowHosts"]) else { return nil }
        guard let list = members.first?.value else {
            decoder.report("missing key \"allowHosts\"; expected the host:port entries the server may connect to", at: node, path: path)
            return nil
        }
        let listPath = "\(path).allowHosts"
        guard case .array(let elements) = list.kind else {
            decoder.report("expected an array of \"host:port\" strings, found \(list.typeName)", at: list, path: listPath)
            return nil
        }
        var patterns: [HostPortPattern] = []
        for (index, element) in elements.enumerated() {
            let elementPath = "\(listPath)[\(index)]"
            guard let text = decoder.expandedString(element, path: elementPath) else { continue }
            guard let pattern = HostPortPattern(text) else {
                decoder.report("\"\(text)\" is not host:port; write a host name (api.github.com:443), a wildcard for its subdomains "
                               + "(*.corp.example:443), an IPv4 address (127.0.0.1:8080) or an IPv6 one in brackets ([::1]:8080)",
                               at: element, path: elementPath)
                continue
            }
            patterns.append(pattern)
        }
        return .allowHosts(patterns)
    }

    /// `path` without trailing slashes (but `/`).
    static func normalized(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return String(text)
    }
}
