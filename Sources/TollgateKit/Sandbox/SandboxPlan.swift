/// A sandbox worked out for one start of one server: the Landlock rules (its preset's, its
/// program's, the manifest's; the server's own `/proc/PID` is added when the child enters the
/// sandbox), the variables its environment gains or loses, and its network.
/// Reads the file system (to find the program and a preset's paths); decides nothing at run time.
public struct SandboxPlan: Sendable {
    /// Every rule, presets' first; ``SandboxRule/optional`` ones may name paths that do not exist.
    public var rules: [SandboxRule]
    /// Variables set in the server's environment (the proxy's, a preset's offline switch).
    public var setVariables: [(name: String, value: String)]
    /// Variables removed from it (`NO_PROXY`: every connection must go through the proxy).
    public var removedVariables: [String]
    /// The network.
    public var network: SandboxNetwork

    /// The port the proxy listens on in the server's network namespace (its own, so always free).
    public static let proxyPort: UInt16 = 3128

    /// The plan for `spec` and the server `arguments`, run in `workingDirectory` with `environment`
    /// (the server's complete environment: its PATH finds the program, its HOME the preset's
    /// caches). Throws when an execute path lies within a write path or the reverse, so nothing
    /// the server may write can be executed.
    public static func make(_ spec: SandboxSpec, arguments: [String], environment: [String: String],
                            workingDirectory: String) throws(SandboxError) -> SandboxPlan {
        let context = SandboxPreset.Context(arguments: arguments, environment: environment, workingDirectory: workingDirectory)
        var rules = SandboxPreset.systemRules(context) + spec.preset.rules(context)
        rules += spec.read.map { SandboxRule(path: $0, access: .read, origin: "filesystem.read", optional: false) }
        rules += spec.execute.map { SandboxRule(path: $0, access: [.read, .execute], origin: "filesystem.execute", optional: false) }
        rules += spec.write.map { SandboxRule(path: $0, access: [.read, .write], origin: "filesystem.write", optional: false) }
        rules = rules.enumerated().filter { index, rule in
            !rules[..<index].contains { $0.path == rule.path && $0.access == rule.access }
        }.map(\.element)
        try checkNoExecutableWrites(spec, rules: rules)
        var plan = SandboxPlan(rules: rules, setVariables: spec.preset.variables(for: spec.network), removedVariables: [], network: spec.network)
        if case .allowHosts = spec.network {
            let proxy = "http://127.0.0.1:\(proxyPort)"
            for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
                plan.setVariables.append((name, proxy))
            }
            plan.removedVariables = ["NO_PROXY", "no_proxy"]
        }
        return plan
    }

    /// The server's environment with the plan's changes (`base`: the one it would get without).
    public func environment(_ base: [String: String]) -> [String: String] {
        var environment = base
        for name in removedVariables { environment[name] = nil }
        for (name, value) in setVariables { environment[name] = value }
        return environment
    }

    /// Refuses write paths that contain execute paths, or lie within one: the server could then
    /// replace a program and run it. Compared lexically and, where they exist, resolved.
    static func checkNoExecutableWrites(_ spec: SandboxSpec, rules: [SandboxRule]) throws(SandboxError) {
        let executable = rules.filter { $0.access.contains(.execute) && !$0.access.contains(.write) }
        for write in spec.write {
            let writeForms = [write, FileIO.realPath(write)].compactMap { $0 }
            for rule in executable {
                let ruleForms = [rule.path, FileIO.realPath(rule.path)].compactMap { $0 }
                guard writeForms.contains(where: { written in ruleForms.contains { Self.overlap($0, written) } })
                else { continue }
                throw SandboxError("the write path \(write) and the \(rule.origin) path \(rule.path) overlap: "
                                   + "the server could change a program it may execute; keep programs out of write paths")
            }
        }
    }

    /// Whether one path is the other or lies beneath it.
    static func overlap(_ a: String, _ b: String) -> Bool {
        PathWithin.isWithin(Array(a.utf8), Array(b.utf8)) || PathWithin.isWithin(Array(b.utf8), Array(a.utf8))
    }
}
