import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// In-process costs of Tollgate's per-message work, in nanoseconds per operation.
enum Micro {
    static func measure(_ name: String, iterations: Int, _ body: () -> Void) -> Double {
        for _ in 0..<(iterations / 10) { body() }
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = RoundTrip.now()
            for _ in 0..<iterations { body() }
            best = min(best, (RoundTrip.now() - t0) * 1000 / Double(iterations))
        }
        return best
    }

    static let call = Array(#"{"jsonrpc":"2.0","id":123,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"#.utf8)
    static let response = Array(#"{"jsonrpc":"2.0","id":123,"result":{"content":[{"type":"text","text":"ok"}],"isError":false}}"#.utf8)

    /// The manifests of the session loops: a name rule alone, and the end-to-end benchmark's
    /// (a name rule with an argument schema).
    static let namesManifest = #"{"version": 1, "tools": {"echo": {}}}"#
    static let schemaManifest = #"{"version": 1, "tools": {"echo": {"arguments": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 100}}, "additionalProperties": false}}}}"#

    /// A session deciding by `manifest` (nil: none).
    static func session(_ manifest: String?) -> RelaySession {
        guard let manifest else { return RelaySession() }
        guard let loaded = try? ManifestLoader.parse(SourceText(path: "bench.json", bytes: Array(manifest.utf8))) else {
            fatalError("the loop's manifest failed to load")
        }
        return RelaySession(gate: PolicyGate(manifest: loaded, diagnostics: .silent, workingDirectory: "/tmp"))
    }

    /// Runs one operation `iterations` times: scan, read, response; or a call in and its response
    /// out through a session, the forwarded call written as the relay writes it: session (no
    /// manifest), names (a name rule), schema (a name rule with an argument schema).
    static func loop(_ kind: String, iterations: Int) {
        let call = Self.call, response = Self.response
        var session = Self.session(kind == "names" ? namesManifest : kind == "schema" ? schemaManifest : nil)
        var out: [UInt8] = []
        var sink = 0
        for _ in 0..<iterations {
            switch kind {
            case "scan": if case .success = call.withUnsafeBytes({ MessageEnvelope.scan($0) }) { sink += 1 }
            case "read": if case .single = call.withUnsafeBytes({ ClientLine.read($0) }) { sink += 1 }
            case "response": if case .response = response.withUnsafeBytes({ ServerLine.read($0) }) { sink += 1 }
            default:
                call.withUnsafeBytes { line in
                    let actions = session.clientLine(line)
                    out.removeAll(keepingCapacity: true)
                    switch actions.forward {
                    case .original?: out.append(contentsOf: line); out.append(0x0A)
                    case .call(let c)?: c.writeRequest(to: &out); out.append(0x0A)
                    default: break
                    }
                    sink += out.count
                }
                _ = response.withUnsafeBytes { session.serverLine($0) }
            }
        }
        if sink == -1 { print(sink) }
    }

    static func run() -> [(String, Double)] {
        let call = Self.call, response = Self.response
        var results: [(String, Double)] = []
        results.append(("scan envelope (tools/call, 104 B)", measure("scan", iterations: 200_000) {
            _ = call.withUnsafeBytes { MessageEnvelope.scan($0) }
        }))
        results.append(("read tools/call (scan + parse)", measure("read", iterations: 200_000) {
            _ = call.withUnsafeBytes { ClientLine.read($0) }
        }))
        results.append(("read server response", measure("sread", iterations: 200_000) {
            _ = response.withUnsafeBytes { ServerLine.read($0) }
        }))
        if case .single(.toolCall(let parsed)) = call.withUnsafeBytes({ ClientLine.read($0) }) {
            var buffer: [UInt8] = []
            results.append(("re-serialize tools/call", measure("write", iterations: 200_000) {
                buffer.removeAll(keepingCapacity: true)
                parsed.writeRequest(to: &buffer)
            }))
        }
        results += policyCosts()
        var session = RelaySession()
        var out: [UInt8] = []
        results.append(("session: call in + response out", measure("session", iterations: 200_000) {
            call.withUnsafeBytes { line in
                let actions = session.clientLine(line)
                if case .call(let c)? = actions.forward { out.removeAll(keepingCapacity: true); c.writeRequest(to: &out) }
            }
            _ = response.withUnsafeBytes { session.serverLine($0) }
        }))
        return results
    }

    /// The manifest the policy figures use: eleven rules, two with five-property argument schemas
    /// (one of them with a pattern on each property).
    static let manifestText = """
        {"version": 1, "policy": {"default": "deny"}, "tools": {
          "git_status": {}, "git_log": {}, "git_diff*": {}, "git_*": {"allow": false}, "read_*": {},
          "write_*": {"allow": false}, "fetch": {}, "time_*": {}, "list_*": {},
          "search": {"arguments": {"type": "object", "required": ["query"], "additionalProperties": false, "properties": {
            "query": {"type": "string", "maxLength": 200},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "sort": {"enum": ["relevance", "date"]},
            "exact": {"type": "boolean"},
            "tags": {"type": "array", "maxItems": 5, "items": {"type": "string"}}}}},
          "query": {"arguments": {"type": "object", "required": ["sql"], "additionalProperties": false, "properties": {
            "sql": {"type": "string", "maxLength": 1000, "pattern": "^\\\\s*[Ss][Ee][Ll][Ee][Cc][Tt]\\\\s"},
            "database": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "timezone": {"type": "string", "pattern": "^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$"},
            "commit": {"type": "string", "pattern": "^[0-9A-Fa-f]{4,64}$"},
            "time": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}}}}
        }}
        """

    static func policyCosts() -> [(String, Double)] {
        guard let manifest = try? ManifestLoader.parse(SourceText(path: "bench.json", bytes: Array(manifestText.utf8))) else {
            return [("policy manifest failed to load", .nan)]
        }
        var gate = PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp")
        func call(_ name: String, _ arguments: JSONObject) -> ToolCall {
            try! ToolCall(id: RequestID(bytes: Array("1".utf8), isString: false, hasEscapes: false),
                          params: .object(["name": .string(name), "arguments": .object(arguments)]))
        }
        let nameOnly = call("git_status", [:])
        let withSchema = call("search", ["query": "tollgate", "limit": 10, "sort": "date", "exact": false, "tags": ["a", "b"]])
        let withPatterns = call("query", ["sql": "SELECT name FROM users WHERE id = 42", "database": "main_db",
                                          "timezone": "Europe/Berlin", "commit": "3f2a9c1d", "time": "14:30"])
        var denied = 0
        let nameCost = measure("name", iterations: 500_000) { if case .deny = gate.decide(nameOnly) { denied += 1 } }
        let schemaCost = measure("schema", iterations: 200_000) { if case .deny = gate.decide(withSchema) { denied += 1 } }
        let patternsCost = measure("patterns", iterations: 100_000) { if case .deny = gate.decide(withPatterns) { denied += 1 } }
        if denied > 0 { return [("policy benchmark calls were denied", .nan)] }
        return [("policy decision: name rule (11 rules)", nameCost), ("policy decision: 5-property argument schema", schemaCost),
                ("policy decision: 5 properties with patterns (goal ≤ 5 µs)", patternsCost)] + patternAttackCosts()
    }

    /// Patterns that are slow for a backtracking engine (`^(a+)+$` against 10,000 `a`s and a `!`)
    /// or for a Pike VM alone (a program of 10,000 instructions, all live on every `a`), and one
    /// that defeats the lazy DFA too, so that the check stops when its budget is spent.
    static func patternAttackCosts() -> [(String, Double)] {
        [patternCost("pattern ^(a+)+$ on 10,000 a's + \"!\" (goal < 1 ms)", "^(a+)+$",
                     String(repeating: "a", count: 10_000) + "!", iterations: 200),
         patternCost("pattern (?:a|b)(?:a?){4996}c on 100 KB of a's (goal < 100 ms)", "(?:a|b)(?:a?){4996}c",
                     String(repeating: "a", count: 100_000), iterations: 1),
         patternCost("pattern [ab]*a[ab]{3000}c on 20,000 a's: denied when its budget runs out", "[ab]*a[ab]{3000}c",
                     String(repeating: "a", count: 20_000), iterations: 1)]
    }

    /// The time to check `text` against `pattern`, which must not match it (or be denied unchecked).
    static func patternCost(_ name: String, _ pattern: String, _ text: String, iterations: Int) -> (String, Double) {
        guard let schema = try? ArgumentSchema(compiling: .object(["pattern": .string(pattern)]), strictness: .strict,
                                               context: SchemaContext(workingDirectory: "/tmp")) else { return (name, .nan) }
        let attack = JSONValue.string(text)
        var accepted = 0
        let cost = measure("attack", iterations: iterations) { if schema.validate(attack) == nil { accepted += 1 } }
        return accepted > 0 ? ("the pattern benchmark matched: \(pattern)", .nan) : (name, cost)
    }
}
