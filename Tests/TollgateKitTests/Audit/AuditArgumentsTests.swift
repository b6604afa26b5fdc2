import Testing
@testable import TollgateKit

@Suite("Audit: arguments cut to audit.maxArgumentBytes, hashed whole")
struct AuditArgumentsTests {
    /// A string of `count` bytes that looks like nothing secret, with escapes along the way.
    static func blob(_ count: Int) -> String {
        var text = String(repeating: "plain words and \"quotes\"\n", count: count / 25 + 1)
        text.removeLast(text.utf8.count - count)
        return text
    }

    /// The canonical size of a value.
    static func size(_ value: JSONValue) -> Int { AuditRecord.canonicalBytes(value).count }

    @Test("arguments within the cap are recorded whole, from the bytes that were hashed")
    func withinTheCap() throws {
        let arguments: JSONObject = ["b": .string(Self.blob(800)), "a": [1, "x", nil]]
        let canonical = AuditRecord.canonicalBytes(.object(arguments))
        #expect(canonical.count <= 1024)
        for mode in [AuditRedaction.Mode.full, .redacted] {
            let kept = AuditArguments(arguments, mode: mode, maxBytes: 1024)
            #expect(kept.sha256 == SHA256.hash(canonical))
            #expect(kept.recordedCanonical == canonical && kept.recorded == arguments && kept.cut == nil, "\(mode)")
        }
        let digest = AuditArguments(arguments, mode: .digest, maxBytes: 1024)
        #expect(digest.recorded == nil && digest.recordedCanonical == nil && digest.cut == nil && digest.sha256 == SHA256.hash(canonical))
    }

    @Test("a large argument is cut to a marker with its size; the others are kept; the hash is of all of it")
    func largeArgumentCut() throws {
        let large = JSONValue.string(Self.blob(3 << 20))
        let arguments: JSONObject = ["path": "/srv/x.txt", "content": large, "mode": 420]
        let canonical = AuditRecord.canonicalBytes(.object(arguments))
        let kept = AuditArguments(arguments, mode: .full, maxBytes: 64 << 10)
        #expect(kept.sha256 == SHA256.hash(canonical), "the hash covers the whole arguments as called")
        #expect(kept.cut == AuditArguments.Cut(bytes: canonical.count, omitted: 0))
        #expect(kept.recordedCanonical == nil)
        let recorded = try #require(kept.recorded)
        #expect(recorded["path"] == "/srv/x.txt" && recorded["mode"] == 420)
        #expect(recorded["content"] == .string("[CUT: \(Self.size(large)) bytes]"))
        #expect(Self.size(.object(recorded)) <= 64 << 10)
    }

    @Test("cutting is in key order: arguments are kept while they fit, a later small one still is; what does not fit even as a marker is counted")
    func cutOrder() throws {
        // Canonical order: a (500 bytes), b (700), c (300), then 40 members with keys of 100 bytes.
        var arguments: JSONObject = ["b": .string(Self.blob(700)), "c": .string(Self.blob(300)), "a": .string(Self.blob(500))]
        for index in 0..<40 { arguments["k\(index)" + String(repeating: "k", count: 96)] = .string(Self.blob(200)) }
        let kept = AuditArguments(arguments, mode: .full, maxBytes: 1024)
        let recorded = try #require(kept.recorded)
        #expect(recorded["a"] == arguments["a"], "a fits")
        #expect(recorded["b"]?.stringValue?.hasPrefix("[CUT: ") == true, "b does not: \(String(describing: recorded["b"]))")
        #expect(recorded["c"] == arguments["c"], "c still fits after b")
        #expect(Self.size(.object(recorded)) <= 1024)
        let markers = recorded.members.filter { $0.value.stringValue?.hasPrefix("[CUT: ") == true }.count
        #expect(kept.cut?.omitted == arguments.count - recorded.count && kept.cut?.omitted ?? 0 > 0, "\(String(describing: kept.cut)), \(markers) markers")
        #expect(kept.cut?.bytes == Self.size(.object(arguments)))
    }

    @Test("redaction applies to what is kept, markers included; a large value is never searched, it is cut")
    func redactedAndCut() throws {
        let token = "ghp_" + String(repeating: "aB3dE", count: 8)
        let arguments: JSONObject = ["auth": "hunter2", "note": .string("use \(token)"), token: "x", "body": .string(Self.blob(200_000))]
        let kept = AuditArguments(arguments, mode: .redacted, maxBytes: 4096)
        let recorded = try #require(kept.recorded)
        #expect(recorded["auth"] == .string(AuditRedaction.placeholder))
        #expect(recorded["note"] == .string(AuditRedaction.placeholder))
        #expect(recorded[token] == nil && recorded[AuditRedaction.placeholder] == .string(AuditRedaction.placeholder), "a key that looks like a credential is renamed")
        #expect(recorded["body"]?.stringValue?.hasPrefix("[CUT: ") == true)
        #expect(kept.sha256 == SHA256.hash(AuditRecord.canonicalBytes(.object(arguments))))
    }

    @Test("the fixed-shape record and the generic one write the same bytes for cut arguments, in every mode")
    func sameBytes() throws {
        let arguments: JSONObject = ["text": .string(Self.blob(300_000)), "password": "p", "n": 1]
        for mode in AuditRedaction.Mode.allCases {
            let fixed = AuditCallRecord.decision(.allowed, server: "s", tool: "echo", id: "1", arguments: arguments, argumentsMode: mode,
                                                 maxArgumentBytes: 2048, denial: nil, budgets: nil)
            let generic = AuditRecord.decision(.allowed, server: "s", tool: "echo", id: "1", arguments: .object(arguments), argumentsMode: mode,
                                               maxArgumentBytes: 2048)
            let time = AuditTimestamp(seconds: 1_795_000_000, microseconds: 1)
            let run = "0123456789abcdef0123456789abcdef"
            let a = fixed.sealed(time: time, seq: 3, run: run, prev: AuditRecord.genesisHash, authenticator: nil)
            let b = generic.sealed(time: time, seq: 3, run: run, prev: AuditRecord.genesisHash, authenticator: nil)
            #expect(a.line == b.line, "\(mode): \(text(a.line)) vs \(text(b.line))")
            #expect(a.line.count < 2048 + 512, "\(mode): \(a.line.count) bytes")
            let record = try json(Array(a.line.dropLast()))
            #expect((record["argumentsCut"] == nil) == (mode == .digest), "\(mode): \(text(a.line))")
        }
    }

    @Test("a trail records a call with a large argument in a record of about the cap, which verifies; replay lists it as cut")
    func recordedAndVerified() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path, fsync: .batch, rotateMB: nil, key: [1, 2, 3])
        var trail = AuditTrail(log: log, arguments: .redacted, maxArgumentBytes: 1024, server: "s")
        let arguments: JSONObject = ["text": .string(Self.blob(1 << 20))]
        let call = try ToolCall(id: RequestID(bytes: bytes("5"), isString: false, hasEscapes: false),
                                params: .object(["name": "echo", "arguments": .object(arguments)]))
        try trail.recordDecision(call, .allowed, denial: nil)
        try log.close()

        let lines = try auditLines(path)
        let decision = try #require(try lines.map { try json($0) }.first { $0["event"] == "decision" })
        #expect(lines.allSatisfy { $0.count < 2048 }, "\(lines.map(\.count))")
        #expect(decision["argumentsSha256"] == .string(Hex.encode(SHA256.hash(AuditRecord.canonicalBytes(.object(arguments))))))
        #expect(decision["argumentsCut"]?["bytes"] == JSONValue(integerLiteral: Self.size(.object(arguments))))
        #expect(decision["arguments"]?["text"] == .string("[CUT: \(Self.size(arguments["text"]!)) bytes]"))
        let verification = verifyLines([(path, lines)], key: [1, 2, 3])
        #expect(verification.isIntact, "\(verification.report)")

        var replay = AuditReplay(manifest: try #require(try? parseManifest(#"{"version": 1, "tools": {"echo": {}}}"#).get()))
        replay.add(AuditRecord(try #require(decision.objectValue)), location: "audit.log:2")
        #expect(replay.unjudged.map(\.why) == ["arguments not recorded in full (cut to audit.maxArgumentBytes)"])
    }

    @Test("the streamed SHA-256 of a value is that of its canonical bytes, for strings longer than a piece")
    func streamedHash() {
        let values: [JSONValue] = [
            .string(Self.blob(200_000)),
            [.string(Self.blob(70_000)), ["k": .string(Self.blob(140_000)), "a": nil], .number("1.5")],
            .object(["z": .array(Array(repeating: .string("x\u{1}y"), count: 30_000)), "é": true]),
            [:], "",
        ]
        for value in values {
            #expect(AuditRecord.argumentsSha256(value) == Hex.encode(SHA256.hash(AuditRecord.canonicalBytes(value))))
        }
    }
}
