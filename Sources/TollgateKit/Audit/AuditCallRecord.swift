/// A `decision` or `outcome` record, the two written for every call, held as its canonical bytes
/// already written instead of as a ``JSONObject``: the members the log fills in (`alg`, `prev`,
/// `run`, `seq`, `time`) fall between four fixed runs of the record's own members, so sealing
/// it is joining bytes, with no sorting and no tree.
///
/// It produces exactly the bytes of the same record built with ``AuditRecord/decision(_:server:tool:arguments:argumentsMode:denial:outcome:budgets:cost:)``
/// or ``AuditRecord/outcome(server:tool:id:outcome:)`` and sealed by the log (the tests compare them).
/// Canonical key order: `alg` < `arguments` < `argumentsSha256` < `budgets` < `code` <
/// `decision` < `event` < `id` < `outcome` < `prev` < `reason` < `rule` < `run` < `seq` <
/// `server` < `time` < `tool`.
struct AuditCallRecord: Sendable {
    /// Members between `alg` and `prev`, each as `,"key":value`.
    var beforePrev: [UInt8] = []
    /// Members between `prev` and `run`.
    var beforeRun: [UInt8] = []
    /// Members between `seq` and `time`.
    var beforeTime: [UInt8] = []
    /// Members after `time`.
    var afterTime: [UInt8] = []

    /// A `decision` record for a call (what ``AuditTrail`` writes before forwarding or denying it).
    static func decision(_ decision: AuditRecord.Decision, server: String?, tool: String, id: String, arguments: JSONObject,
                         argumentsMode: AuditRedaction.Mode, denial: Denial?, budgets: JSONObject?) -> AuditCallRecord {
        Self.decision(decision, serverMember: serverMember(server), tool: tool, id: id, arguments: arguments,
                      argumentsMode: argumentsMode, denial: denial, budgets: budgets)
    }

    /// A `decision` record with the server's member already written (``serverMember(_:)``, kept by the trail).
    static func decision(_ decision: AuditRecord.Decision, serverMember: [UInt8], tool: String, id: String, arguments: JSONObject,
                         argumentsMode: AuditRedaction.Mode, denial: Denial?, budgets: JSONObject?) -> AuditCallRecord {
        var record = AuditCallRecord()
        var writer = JSONWriter(capacity: 256)
        let called = AuditRecord.canonicalBytes(.object(arguments))
        switch argumentsMode {
        case .full:
            writer.append(#","arguments":"#)
            writer.write(raw: called)
        case .redacted:
            writer.append(#","arguments":"#)
            AuditRecord.writeCanonical(AuditRedaction.redact(.object(arguments)), into: &writer)
        case .digest:
            break
        }
        writer.append(#","argumentsSha256":""#)
        writer.write(raw: Hex.encode(SHA256.hash(called)).utf8)
        writer.append("\"")
        if let budgets {
            writer.append(#","budgets":"#)
            AuditRecord.writeCanonical(budgets, excluding: nil, into: &writer)
        }
        if let denial {
            writer.append(#","code":"#)
            writer.write(string: denial.code.rawValue)
        }
        writer.append(#","decision":"#)
        writer.write(string: decision.rawValue)
        writer.append(#","event":"decision","id":"#)
        writer.write(string: id)
        record.beforePrev = writer.bytes
        if let denial {
            var reason = JSONWriter(capacity: 128)
            reason.append(#","reason":"#)
            reason.write(string: denial.reason)
            if let rule = denial.rule {
                reason.append(#","rule":"#)
                reason.write(string: rule)
            }
            record.beforeRun = reason.bytes
        }
        record.beforeTime = serverMember
        record.setTool(tool)
        return record
    }

    /// An `outcome` record: how a forwarded call ended.
    static func outcome(server: String?, tool: String, id: String, outcome: AuditRecord.Outcome) -> AuditCallRecord {
        Self.outcome(serverMember: serverMember(server), tool: tool, id: id, outcome: outcome)
    }

    /// An `outcome` record with the server's member already written.
    static func outcome(serverMember: [UInt8], tool: String, id: String, outcome: AuditRecord.Outcome) -> AuditCallRecord {
        var record = AuditCallRecord()
        var writer = JSONWriter(capacity: 128)
        writer.append(#","event":"outcome","id":"#)
        writer.write(string: id)
        writer.append(#","outcome":{"bytes":"#)
        writer.write(raw: String(outcome.bytes).utf8)
        writer.append(#","durationUs":"#)
        writer.write(raw: String(outcome.durationUs).utf8)
        writer.append(outcome.isError ? #","isError":true"# : #","isError":false"#)
        if let tokens = outcome.tokens {
            writer.append(#","tokens":"#)
            writer.write(raw: String(tokens).utf8)
        }
        writer.append("}")
        record.beforePrev = writer.bytes
        record.beforeTime = serverMember
        record.setTool(tool)
        return record
    }

    /// `,"server":"…"`, or nothing without a server.
    static func serverMember(_ server: String?) -> [UInt8] {
        guard let server else { return [] }
        var writer = JSONWriter(capacity: server.utf8.count + 12)
        writer.append(#","server":"#)
        writer.write(string: server)
        return writer.bytes
    }

    private mutating func setTool(_ tool: String) {
        var writer = JSONWriter(capacity: tool.utf8.count + 10)
        writer.append(#","tool":"#)
        writer.write(string: tool)
        afterTime = writer.bytes
    }

    /// The line and hash with the log's members (see ``AuditRecord/sealed(time:seq:run:prev:authenticator:)``).
    /// `prev` and `run` are lowercase hex, so they are written without escaping.
    func sealed(time: AuditTimestamp, seq: Int, run: String, prev: String, authenticator: HMAC?) -> (line: [UInt8], hash: String) {
        var writer = JSONWriter(capacity: 200 + beforePrev.count + beforeRun.count + beforeTime.count + afterTime.count)
        writer.append(authenticator == nil ? #"{"alg":"sha256""# : #"{"alg":"hmac-sha256""#)
        writer.write(raw: beforePrev)
        writer.append(#","prev":""#)
        writer.write(raw: prev.utf8)
        writer.append("\"")
        writer.write(raw: beforeRun)
        writer.append(#","run":""#)
        writer.write(raw: run.utf8)
        writer.append(#"","seq":"#)
        writer.write(raw: String(seq).utf8)
        writer.write(raw: beforeTime)
        writer.append(#","time":""#)
        writer.write(raw: time.rfc3339.utf8)
        writer.append("\"")
        writer.write(raw: afterTime)
        writer.append("}")
        var bytes = writer.bytes
        let digest: [UInt8]
        if var authenticator {
            authenticator.update(bytes)
            digest = authenticator.finalize()
        } else {
            digest = SHA256.hash(bytes)
        }
        let hash = Hex.encode(digest)
        // The line: the canonical bytes with `hash` as the last member, then a newline.
        bytes.removeLast()
        bytes.append(contentsOf: #","hash":""#.utf8)
        bytes.append(contentsOf: hash.utf8)
        bytes.append(contentsOf: "\"}\n".utf8)
        return (bytes, hash)
    }
}
