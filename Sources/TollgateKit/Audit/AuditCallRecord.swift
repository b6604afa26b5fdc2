/// A `decision` or `outcome` record, the two written for every call, held as its canonical bytes
/// already written instead of as a ``JSONObject``: the members the log fills in (`alg`, `prev`,
/// `run`, `seq`, `time`) fall between four fixed runs of the record's own members (kept in one
/// buffer), so sealing it is joining bytes, with no sorting and no tree.
///
/// It produces exactly the bytes of the same record built with ``AuditRecord/decision(_:server:tool:arguments:argumentsMode:denial:outcome:budgets:cost:)``
/// or ``AuditRecord/outcome(server:tool:id:outcome:)`` and sealed by the log (the tests compare them).
/// Canonical key order: `alg` < `arguments` < `argumentsSha256` < `budgets` < `code` <
/// `decision` < `event` < `id` < `outcome` < `prev` < `reason` < `rule` < `run` < `seq` <
/// `server` < `time` < `tool`.
struct AuditCallRecord: Sendable {
    /// The record's own members, each as `,"key":value`, in canonical order: those before `prev`,
    /// then those between `prev` and `run`, between `seq` and `time`, and after `time`.
    private var members: [UInt8]
    /// Where the members after `prev`, after `seq` and after `time` start in ``members``.
    private var prevAt: Int, seqAt: Int, timeAt: Int

    /// A record whose members are `members` up to `prevAt` and `seqAt`, then the server's member
    /// and the tool's (which every call record ends with).
    private init(_ writer: consuming JSONWriter, prevAt: Int, seqAt: Int, serverMember: [UInt8], tool: String) {
        writer.write(raw: serverMember)
        timeAt = writer.bytes.count
        writer.append(#","tool":"#)
        writer.write(string: tool)
        members = writer.bytes
        self.prevAt = prevAt
        self.seqAt = seqAt
    }

    /// A `decision` record for a call (what ``AuditTrail`` writes before forwarding or denying it).
    static func decision(_ decision: AuditRecord.Decision, server: String?, tool: String, id: String, arguments: JSONObject,
                         argumentsMode: AuditRedaction.Mode, denial: Denial?, budgets: JSONObject?) -> AuditCallRecord {
        Self.decision(decision, serverMember: serverMember(server), tool: tool, id: id, arguments: arguments,
                      argumentsMode: argumentsMode, denial: denial, budgets: budgets)
    }

    /// A `decision` record with the server's member already written (``serverMember(_:)``, kept by the trail).
    static func decision(_ decision: AuditRecord.Decision, serverMember: [UInt8], tool: String, id: String, arguments: JSONObject,
                         argumentsMode: AuditRedaction.Mode, denial: Denial?, budgets: JSONObject?) -> AuditCallRecord {
        let called = AuditRecord.canonicalBytes(.object(arguments))
        var writer = JSONWriter(capacity: 160 + (argumentsMode == .digest ? 0 : called.count) + serverMember.count + tool.utf8.count)
        switch argumentsMode {
        case .full:
            writer.append(#","arguments":"#)
            writer.write(raw: called)
        case .redacted:
            writer.append(#","arguments":"#)
            if AuditRedaction.findsNothing(in: arguments) {
                writer.write(raw: called)
            } else {
                AuditRecord.writeCanonical(AuditRedaction.redact(.object(arguments)), into: &writer)
            }
        case .digest:
            break
        }
        writer.append(#","argumentsSha256":""#)
        Hex.append(SHA256.hash(called), to: &writer.bytes)
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
        let prevAt = writer.bytes.count
        if let denial {
            writer.append(#","reason":"#)
            writer.write(string: denial.reason)
            if let rule = denial.rule {
                writer.append(#","rule":"#)
                writer.write(string: rule)
            }
        }
        return AuditCallRecord(writer, prevAt: prevAt, seqAt: writer.bytes.count, serverMember: serverMember, tool: tool)
    }

    /// An `outcome` record: how a forwarded call ended (with its `code` when the client got a denial instead).
    static func outcome(server: String?, tool: String, id: String, outcome: AuditRecord.Outcome) -> AuditCallRecord {
        Self.outcome(serverMember: serverMember(server), tool: tool, id: id, outcome: outcome)
    }

    /// An `outcome` record with the server's member already written.
    static func outcome(serverMember: [UInt8], tool: String, id: String, outcome: AuditRecord.Outcome) -> AuditCallRecord {
        var writer = JSONWriter(capacity: 160 + id.utf8.count + serverMember.count + tool.utf8.count)
        if let code = outcome.code {
            writer.append(#","code":"#)
            writer.write(string: code.rawValue)
        }
        writer.append(#","event":"outcome","id":"#)
        writer.write(string: id)
        writer.append(#","outcome":{"bytes":"#)
        writer.write(integer: outcome.bytes)
        writer.append(#","durationUs":"#)
        writer.write(integer: outcome.durationUs)
        writer.append(outcome.isError ? #","isError":true"# : #","isError":false"#)
        if let tokens = outcome.tokens {
            writer.append(#","tokens":"#)
            writer.write(integer: tokens)
        }
        writer.append("}")
        let end = writer.bytes.count
        return AuditCallRecord(writer, prevAt: end, seqAt: end, serverMember: serverMember, tool: tool)
    }

    /// `,"server":"…"`, or nothing without a server.
    static func serverMember(_ server: String?) -> [UInt8] {
        guard let server else { return [] }
        var writer = JSONWriter(capacity: server.utf8.count + 12)
        writer.append(#","server":"#)
        writer.write(string: server)
        return writer.bytes
    }

    /// The line and hash with the log's members (see ``AuditRecord/sealed(time:seq:run:prev:authenticator:)``).
    /// `prev` and `run` are lowercase hex, so they are written without escaping.
    func sealed(time: AuditTimestamp, seq: Int, run: String, prev: String, authenticator: HMAC?) -> (line: [UInt8], hash: String) {
        var writer = JSONWriter(capacity: 280 + members.count)
        writer.append(authenticator == nil ? #"{"alg":"sha256""# : #"{"alg":"hmac-sha256""#)
        members.withUnsafeBufferPointer { members in
            writer.write(raw: UnsafeBufferPointer(rebasing: members[..<prevAt]))
            writer.append(#","prev":""#)
            writer.write(unescaped: prev)
            writer.append("\"")
            writer.write(raw: UnsafeBufferPointer(rebasing: members[prevAt..<seqAt]))
            writer.append(#","run":""#)
            writer.write(unescaped: run)
            writer.append(#"","seq":"#)
            writer.write(integer: seq)
            writer.write(raw: UnsafeBufferPointer(rebasing: members[seqAt..<timeAt]))
            writer.append(#","time":""#)
            time.write(into: &writer.bytes)
            writer.append("\"")
            writer.write(raw: UnsafeBufferPointer(rebasing: members[timeAt...]))
        }
        writer.append("}")
        let digest: [UInt8]
        if var authenticator {
            authenticator.update(writer.bytes)
            digest = authenticator.finalize()
        } else {
            digest = SHA256.hash(writer.bytes)
        }
        // The line: the canonical bytes with `hash` as the last member, then a newline.
        writer.bytes.removeLast()
        writer.append(#","hash":""#)
        let hashAt = writer.bytes.count
        Hex.append(digest, to: &writer.bytes)
        let hash = String(decoding: writer.bytes[hashAt...], as: UTF8.self)
        writer.append("\"}\n")
        return (writer.bytes, hash)
    }
}
