/// A `decision` or `outcome` record, the two written for every call, held as its canonical bytes
/// already written instead of as a ``JSONObject``: the members the log fills in (`alg`, `prev`,
/// `run`, `seq`, `time`) fall between four fixed runs of the record's own members (kept in one
/// buffer), so sealing it is joining bytes, with no sorting and no tree.
///
/// It produces exactly the bytes of the same record built with ``AuditRecord/decision(_:server:tool:arguments:argumentsMode:denial:outcome:budgets:cost:)``
/// or ``AuditRecord/outcome(server:tool:id:outcome:)`` and sealed by the log (the tests compare them).
/// Canonical key order: `agent` < `alg` < `arguments` < `argumentsCut` < `argumentsSha256` < `budgets` < `code` <
/// `decision` < `event` < `id` < `outcome` < `prev` < `reason` < `rule` < `run` < `seq` <
/// `server` < `time` < `tool` < `workflow`.
struct AuditCallRecord: Sendable {
    /// The members that say where a call came from and went, written once per trail: the agent's
    /// (`"agent":"…",`, before `alg`), the server's (`,"server":"…"`) and the workflow's
    /// (`,"workflow":"…"`, last), each empty when unknown.
    struct Origin: Sendable {
        var agent: [UInt8] = []
        var server: [UInt8] = []
        var workflow: [UInt8] = []

        /// The members of `agent`, `workflow` and `server`.
        init(agent: String? = nil, workflow: String? = nil, server: String?) {
            if let agent {
                var writer = JSONWriter(capacity: agent.utf8.count + 12)
                writer.append(#""agent":"#)
                writer.write(string: agent)
                writer.append(",")
                self.agent = writer.bytes
            }
            if let workflow {
                var writer = JSONWriter(capacity: workflow.utf8.count + 14)
                writer.append(#","workflow":"#)
                writer.write(string: workflow)
                self.workflow = writer.bytes
            }
            self.server = AuditCallRecord.serverMember(server)
        }
    }

    /// The record's own members in canonical order: the agent's (`"agent":…,`), then each as
    /// `,"key":value`: those before `prev`, between `prev` and `run`, between `seq` and `time`,
    /// and after `time`.
    private var members: [UInt8]
    /// Where the members after `alg`, `prev`, `seq` and `time` start in ``members``.
    private var algAt: Int, prevAt: Int, seqAt: Int, timeAt: Int

    /// A record whose members are `members` up to `prevAt` and `seqAt` (after the agent's,
    /// `algAt` bytes), then the server's member, the tool's (which every call record has) and
    /// the workflow's.
    private init(_ writer: consuming JSONWriter, algAt: Int, prevAt: Int, seqAt: Int, origin: Origin, tool: String) {
        writer.write(raw: origin.server)
        timeAt = writer.bytes.count
        writer.append(#","tool":"#)
        writer.write(string: tool)
        writer.write(raw: origin.workflow)
        members = writer.bytes
        self.algAt = algAt
        self.prevAt = prevAt
        self.seqAt = seqAt
    }

    /// A `decision` record for a call (what ``AuditTrail`` writes before forwarding or denying it);
    /// the arguments are kept as ``AuditArguments`` says.
    static func decision(_ decision: AuditRecord.Decision, agent: String? = nil, workflow: String? = nil, server: String?, tool: String, id: String, arguments: JSONObject,
                         argumentsMode: AuditRedaction.Mode, maxArgumentBytes: Int = AuditArguments.defaultMaxBytes,
                         denial: Denial?, budgets: JSONObject?) -> AuditCallRecord {
        Self.decision(decision, origin: Origin(agent: agent, workflow: workflow, server: server), tool: tool, id: id, arguments: arguments,
                      argumentsMode: argumentsMode, maxArgumentBytes: maxArgumentBytes, denial: denial, budgets: budgets)
    }

    /// A `decision` record with the agent's and server's members already written (``Origin``, kept by the trail).
    static func decision(_ decision: AuditRecord.Decision, origin: Origin, tool: String, id: String, arguments: JSONObject,
                         argumentsMode: AuditRedaction.Mode, maxArgumentBytes: Int = AuditArguments.defaultMaxBytes,
                         denial: Denial?, budgets: JSONObject?) -> AuditCallRecord {
        let kept = AuditArguments(arguments, mode: argumentsMode, maxBytes: maxArgumentBytes)
        let keptBytes = kept.recordedCanonical?.count ?? (kept.recorded == nil ? 0 : 256)
        var writer = JSONWriter(capacity: 160 + keptBytes + origin.agent.count + origin.server.count + origin.workflow.count + tool.utf8.count)
        writer.write(raw: origin.agent)
        let algAt = writer.bytes.count
        if let canonical = kept.recordedCanonical {
            writer.append(#","arguments":"#)
            writer.write(raw: canonical)
        } else if let recorded = kept.recorded {
            writer.append(#","arguments":"#)
            AuditRecord.writeCanonical(recorded, excluding: nil, into: &writer)
        }
        if let cut = kept.cut {
            writer.append(#","argumentsCut":{"bytes":"#)
            writer.write(integer: cut.bytes)
            writer.append(#","omitted":"#)
            writer.write(integer: cut.omitted)
            writer.append("}")
        }
        writer.append(#","argumentsSha256":""#)
        Hex.append(kept.sha256, to: &writer.bytes)
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
        return AuditCallRecord(writer, algAt: algAt, prevAt: prevAt, seqAt: writer.bytes.count, origin: origin, tool: tool)
    }

    /// An `outcome` record: how a forwarded call ended (with its `code` when the client got a denial instead).
    static func outcome(agent: String? = nil, workflow: String? = nil, server: String?, tool: String, id: String, outcome: AuditRecord.Outcome) -> AuditCallRecord {
        Self.outcome(origin: Origin(agent: agent, workflow: workflow, server: server), tool: tool, id: id, outcome: outcome)
    }

    /// An `outcome` record with the agent's and server's members already written.
    static func outcome(origin: Origin, tool: String, id: String, outcome: AuditRecord.Outcome) -> AuditCallRecord {
        var writer = JSONWriter(capacity: 160 + id.utf8.count + origin.agent.count + origin.server.count + origin.workflow.count + tool.utf8.count)
        writer.write(raw: origin.agent)
        let algAt = writer.bytes.count
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
        return AuditCallRecord(writer, algAt: algAt, prevAt: end, seqAt: end, origin: origin, tool: tool)
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
    func sealed(time: AuditTimestamp, seq: Int, run: String, prev: String, authenticator: HMAC?) -> (line: [UInt8], hash: String) {
        var line: [UInt8] = []
        var hash = Array(prev.utf8)
        seal(into: &line, time: time, seq: seq, run: run, prev: &hash, authenticator: authenticator)
        return (line, String(decoding: hash, as: UTF8.self))
    }

    /// Appends the record's line to `lines`: its canonical bytes with the log's members, then
    /// `hash` as the last member and a newline (what ``sealed(time:seq:run:prev:authenticator:)``
    /// returns). `prev` holds the previous record's hash (lowercase hex, like `run`, so both are
    /// written without escaping) and is given this record's. The record is written once, into
    /// `lines`, and hashed there in one pass: no buffer of its own, no digest or hash string.
    func seal(into lines: inout [UInt8], time: AuditTimestamp, seq: Int, run: String, prev: inout [UInt8], authenticator: HMAC?) {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &lines)
        defer { swap(&writer.bytes, &lines) }
        let start = writer.bytes.count
        let needed = start + 280 + members.count
        if writer.bytes.capacity < needed { writer.bytes.reserveCapacity(Swift.max(needed, 2 * writer.bytes.capacity)) }
        writer.append("{")
        members.withUnsafeBufferPointer { members in
            writer.write(raw: UnsafeBufferPointer(rebasing: members[..<algAt]))
            writer.append(authenticator == nil ? #""alg":"sha256""# : #""alg":"hmac-sha256""#)
            writer.write(raw: UnsafeBufferPointer(rebasing: members[algAt..<prevAt]))
            writer.append(#","prev":""#)
            prev.withUnsafeBufferPointer { writer.write(raw: $0) }
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
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { digest in
            writer.bytes.withUnsafeBytes { written in
                let canonical = UnsafeRawBufferPointer(rebasing: written[start...])
                if var authenticator {
                    authenticator.update(canonical)
                    authenticator.finalize(into: digest)
                } else {
                    var hasher = SHA256()
                    hasher.update(canonical)
                    hasher.finalize(into: digest)
                }
            }
        }
        // The line: the canonical bytes with `hash` as the last member, then a newline.
        writer.bytes.removeLast()
        writer.append(#","hash":""#)
        prev.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: digest) { digest in
            Hex.append(digest, to: &writer.bytes)
            Hex.append(digest, to: &prev)
        }
        writer.append("\"}\n")
    }
}
