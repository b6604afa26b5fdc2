import Testing
@testable import TollgateKit

@Suite("Audit: replay under a new manifest")
struct AuditReplayTests {
    static func decision(_ tool: String, _ decision: AuditRecord.Decision, _ arguments: JSONObject = [:], code: Denial.Code? = nil,
                         rule: String? = nil, mode: AuditRedaction.Mode = .full) -> AuditRecord {
        let denial = code.map { Denial($0, tool: tool, rule: rule, reason: "because") }
        return AuditRecord.decision(decision, server: "fs", tool: tool, arguments: .object(arguments), argumentsMode: mode, denial: denial)
    }

    /// A known log of ten calls (one line per record, the start record first; the log writes its
    /// file_start record before it, so the start record is line 2).
    static let records: [AuditRecord] = [
        AuditRecord.start(manifestSha256: String(repeating: "a", count: 64)),
        decision("read_file", .allowed, ["path": "/srv/data/a.txt"]),                           // 3 unchanged
        decision("read_file", .allowed, ["path": "/etc/passwd"]),                               // 4 allowed -> denied (arguments)
        decision("write_file", .allowed, ["path": "/srv/data/b.txt", "content": "x"]),         // 5 allowed -> needs approval
        decision("delete_file", .allowed, ["path": "/srv/data/c.txt"]),                         // 6 allowed -> denied (name)
        decision("list_dir", .denied, ["path": "/srv"], code: .toolDenied, rule: "policy.default"),  // 7 denied -> allowed
        decision("move_file", .denied, [:], code: .toolDenied, rule: "policy.default"),         // 8 unchanged (denied by the same rule)
        decision("read_file", .allowed, ["path": "/srv/x", "token": "sk-live-0123456789abcdef"], mode: .redacted),  // 9 not judged (redacted)
        decision("read_file", .allowed, ["path": "/srv/y"], mode: .redacted),                   // 10 unchanged: nothing was redacted
        decision("read_file", .allowed, ["path": "/srv/z"], mode: .digest),                     // 11 not judged (digest)
        decision("read_file", .denied, ["path": "/srv/w"], code: .rateLimited, rule: "tools.read_file"),  // 12 not judged (budgets)
        AuditRecord.outcome(server: "fs", tool: "read_file", id: "1", outcome: AuditRecord.Outcome(isError: false, bytes: 1, durationUs: 5)),
    ]

    static let newManifest = """
        {"version": 1, "tools": {
          "read_file": {"arguments": {"properties": {"path": {"type": "string", "pattern": "^/srv/"}}}},
          "write_file": {"approval": "ask"},
          "list_dir": {},
          "delete_file": {"allow": false, "reason": "no deletes"}
        }}
        """

    @Test("replay figures match a known log: each kind of change, the unchanged, and what cannot be judged")
    func knownLog() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        try writeAuditLog(path, Self.records)
        let manifest = try #require(try? parseManifest(Self.newManifest, file: "new.json").get())
        let replay = try AuditReplay.replay(files: [path], under: manifest)
        #expect(replay.calls == 10 && replay.unchanged == 3)
        #expect(replay.changes.map(\.kind) == [.allowedToDenied, .needsApproval, .allowedToDenied, .deniedToAllowed])
        #expect(replay.changes.map(\.location) == ["\(path):4", "\(path):5", "\(path):6", "\(path):7"])
        #expect(replay.changes[0].denial?.code == .argumentsRejected && replay.changes[0].denial?.rule == "tools.read_file")
        #expect(replay.changes[2].denial?.code == .toolDenied && replay.changes[2].denial?.reason == "no deletes")
        #expect(replay.changes[3].recorded == "denied tool_denied")
        #expect(replay.unjudged.map(\.location) == ["\(path):9", "\(path):11", "\(path):12"])
        #expect(replay.unjudged[0].why.contains("redaction") && replay.unjudged[1].why.contains("digest") && replay.unjudged[2].why.contains("rate_limited"))
        #expect(replay.exitCode == 3)

        let text = replay.text
        #expect(text.contains("replayed 10 recorded calls under new.json"))
        #expect(text.contains("  allowed -> denied:  2\n  denied -> allowed:  1\n  denied differently: 0\n  needs approval:     1\n  not judged:         3"))
        #expect(text.contains("\(path):6 delete_file: was allowed; now tool_denied by tools.delete_file: no deletes"), "\(text)")
        let json = replay.json
        #expect(json["counts"]?["allowed_to_denied"] == .number("2") && json["counts"]?["not_judged"] == .number("3"))
        #expect(json["changes"]?.arrayValue?.count == 4)
    }

    @Test("replay under the manifest that made the log changes nothing (exit 0)")
    func sameManifest() throws {
        var exact = AuditReplay(manifest: try #require(try? parseManifest(#"{"version": 1, "tools": {"read_file": {}, "write_file": {}, "delete_file": {}}}"#).get()))
        for (index, record) in Self.records.prefix(5).enumerated() { exact.add(record, location: "log:\(index + 1)") }
        #expect(exact.calls == 4 && exact.unchanged == 4 && exact.exitCode == 0)
    }
}
