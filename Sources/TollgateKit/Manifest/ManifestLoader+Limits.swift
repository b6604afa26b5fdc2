/// Time limits of a manifest: `tools.X.timeoutSeconds` and `policy.defaultTimeoutSeconds`.
extension ManifestLoader {
    /// The longest timeout accepted: one week.
    static let maxTimeoutSeconds = 604_800

    /// A timeout in seconds (a number above 0, fractions to the millisecond), as milliseconds.
    static func timeoutMilliseconds(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> Int64? {
        let expectation = "expected a number of seconds above 0 and at most \(maxTimeoutSeconds) (like 30 or 2.5)"
        guard case .number(let text) = node.kind, let seconds = Double(text) else {
            decoder.report("\(expectation), found \(ManifestDecoder.show(node))", at: node, path: path)
            return nil
        }
        let milliseconds = (seconds * 1000).rounded()
        guard seconds > 0, seconds <= Double(maxTimeoutSeconds), milliseconds >= 1 else {
            decoder.report("\(expectation), found \(text)", at: node, path: path)
            return nil
        }
        return Int64(milliseconds)
    }
}

/// A server's environment and resource limits: `servers.X.env` and `servers.X.limits`.
extension ManifestLoader {
    /// The largest value of each `limits` key.
    static let limitRanges: [(key: String, range: ClosedRange<Int>)] = [
        ("memoryMB", 1...4_194_304), ("cpuSeconds", 1...31_536_000), ("openFiles", 1...1_048_576), ("processes", 1...4_194_304),
    ]

    static func decodeLimits(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> ResourceLimits {
        var limits = ResourceLimits()
        for member in decoder.members(node, path: path, allowed: limitRanges.map(\.key)) ?? [] {
            guard let range = limitRanges.first(where: { $0.key == member.key })?.range,
                let value = decoder.integer(member.value, path: "\(path).\(member.key)", range: range)
            else { continue }
            switch member.key {
            case "memoryMB": limits.memoryMB = value
            case "cpuSeconds": limits.cpuSeconds = value
            case "openFiles": limits.openFiles = value
            default: limits.processes = value
            }
        }
        return limits
    }

    /// `env`: variable names to strings, with their variables expanded (`"${NAME}"`; the whole
    /// value `"$NAME"` is the older spelling of `"${NAME}"`), and `"inherit"`: a boolean.
    static func decodeEnvironment(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> ServerEnvironment {
        var environment = ServerEnvironment()
        for variable in decoder.namedMembers(node, path: path) {
            let variablePath = ManifestDecoder.join(path, variable.key)
            if variable.key == "inherit" {
                guard case .bool(let flag) = variable.value.kind else {
                    decoder.report("expected true (the server also gets Tollgate's environment, the default) or false (only the variables named here), "
                                   + "found \(ManifestDecoder.show(variable.value))", at: variable.value, path: variablePath)
                    continue
                }
                environment.inherit = flag
                continue
            }
            if variable.key.isEmpty || variable.key.utf8.contains(UInt8(ascii: "=")) || variable.key.utf8.contains(0) {
                decoder.report("a variable name must be non-empty, without '=' or NUL", atOffset: variable.keyOffset, path: variablePath)
                continue
            }
            if decoder.variables.isSecret(variable.key) {
                decoder.report("\(variable.key) holds a secret of Tollgate's own, which no process Tollgate starts gets; remove the entry",
                               atOffset: variable.keyOffset, path: variablePath)
                continue
            }
            guard case .string(var text) = variable.value.kind else {
                decoder.report("expected a string (a value, or \"${NAME}\" to copy Tollgate's variable NAME), found \(ManifestDecoder.show(variable.value))",
                               at: variable.value, path: variablePath)
                continue
            }
            let bytes = text.utf8
            if bytes.first == UInt8(ascii: "$"), bytes.dropFirst().first != UInt8(ascii: "$"), bytes.dropFirst().first != UInt8(ascii: "{") {
                guard ManifestVariables.isVariableName(bytes.dropFirst()) else {
                    decoder.report("\"\(text)\": after '$' expected a variable name (letters, digits and '_', not starting with a digit); "
                                   + "write \"$$\" for a literal '$'", at: variable.value, path: variablePath)
                    continue
                }
                text = "${\(text.dropFirst())}"
            }
            guard let value = decoder.expand(text, at: variable.value, path: variablePath, nonEmpty: false) else { continue }
            environment.variables.append(ServerEnvironment.Variable(name: variable.key, value: value))
        }
        return environment
    }
}
