import Testing
@testable import TollgateKit

@Suite("Audit: verification", .serialized)
struct AuditVerifierTests {
    /// A record line re-sealed after `change` (what someone who can write the file but lacks the key can do).
    static func reseal(_ line: [UInt8], key: [UInt8]? = nil, _ change: (inout AuditRecord) -> Void) throws -> [UInt8] {
        var record = AuditRecord(try #require(try json(line).objectValue))
        change(&record)
        return Array(record.seal(key: key).line.dropLast())
    }

    /// The `hash` of a line.
    static func hash(_ line: [UInt8]) throws -> String {
        try #require(try json(line)["hash"]?.stringValue)
    }

    /// A sample log of ten records.
    static func sample(key: [UInt8]? = nil) throws -> [[UInt8]] {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        return try writeSampleLog(scratch.file("audit.log"), count: 10, key: key)
    }

    @Test("an untouched log verifies and reports its last record")
    func intact() throws {
        let lines = try Self.sample()
        let result = verifyLines([("audit.log", lines)])
        #expect(result.isIntact, "\(result.report)")
        #expect(result.exitCode == 0)
        #expect(result.records == 10)
        #expect(result.last?.seq == 10)
        #expect(result.last?.line == 10)
        #expect(result.last?.hash == (try Self.hash(lines[9])))
        #expect(!result.continuesEarlierChain)
        #expect(result.report.hasPrefix("OK: 10 records in 1 file, chain intact"))
        #expect(result.report.contains("last record: audit.log:10, seq 10, "))
    }

    @Test("an edited field is a hash mismatch at that record")
    func editedField() throws {
        var lines = try Self.sample()
        lines[3] = bytes(text(lines[3]).replacing("read_file", with: "rm_rf"))
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .hashMismatch)
        #expect(result.problem?.record.location == "audit.log:4")
        #expect(result.problem?.record.seq == 4)
        #expect(result.exitCode != 0)
        #expect(result.report.hasPrefix("FAILED: audit.log:4 (seq 4): the hash does not match"))
        #expect(result.last?.seq == 10, "the last record is still reported")
    }

    @Test("an edited and re-hashed record breaks the link to the next one")
    func editedAndRehashed() throws {
        var lines = try Self.sample()
        lines[3] = try Self.reseal(lines[3]) { $0["tool"] = "rm_rf" }
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:5")
        #expect(result.problem?.message.contains("re-hashed") == true)
    }

    @Test("a deleted record is named at its successor")
    func deletedRecord() throws {
        var lines = try Self.sample()
        lines.remove(at: 4)
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:5")
        #expect(result.problem?.record.seq == 6)
        #expect(result.problem?.message.contains("deleted") == true)
    }

    @Test("a swapped pair is reported as out of order")
    func swappedPair() throws {
        var lines = try Self.sample()
        lines.swapAt(4, 5)
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:5")
        #expect(result.problem?.message.contains("out of order") == true)
    }

    @Test("an inserted record is named, whether its prev fits the record before it or not")
    func insertedRecord() throws {
        let lines = try Self.sample()
        // Forged to follow line 3 (consistent hash and prev): the break shows at line 5, the insertion at line 4.
        var fitting = lines
        let forged = try Self.reseal(lines[3]) { record in
            record["tool"] = "exfiltrate"
        }
        let hashOfThree = try Self.hash(lines[2])
        let forgedAfterThree = try Self.reseal(forged) { $0["prev"] = .string(hashOfThree) }
        fitting.insert(forgedAfterThree, at: 3)
        var result = verifyLines([("audit.log", fitting)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:4")
        #expect(result.problem?.message.contains("inserted") == true)
        // With an arbitrary prev.
        var arbitrary = lines
        arbitrary.insert(try Self.reseal(lines[3]) { $0["prev"] = .string(String(repeating: "ab", count: 32)) }, at: 3)
        result = verifyLines([("audit.log", arbitrary)])
        #expect(result.problem?.record.location == "audit.log:4")
        #expect(result.problem?.message.contains("inserted") == true)
        // A replayed copy.
        var replayed = lines
        replayed.insert(lines[2], at: 5)
        result = verifyLines([("audit.log", replayed)])
        #expect(result.problem?.record.location == "audit.log:6")
        #expect(result.problem?.message.contains("replayed") == true)
    }

    @Test("a keyed log verifies with its key; without it the check cannot be made")
    func keyed() throws {
        let key = bytes("audit-key-0123456789")
        let lines = try Self.sample(key: key)
        let keyed = verifyLines([("audit.log", lines)], key: key)
        #expect(keyed.isIntact)
        #expect(keyed.algorithm == "hmac-sha256")
        #expect(keyed.report.hasPrefix("OK: 10 records in 1 file, chain intact, keyed (HMAC-SHA-256)"))
        let noKey = verifyLines([("audit.log", lines)])
        #expect(noKey.problem?.kind == .keyRequired)
        #expect(noKey.exitCode != 0)
        #expect(noKey.report.contains("cannot verify without TOLLGATE_AUDIT_KEY"))
        let wrongKey = verifyLines([("audit.log", lines)], key: bytes("another key"))
        #expect(wrongKey.problem?.kind == .hashMismatch)
        #expect(wrongKey.problem?.record.line == 1)
    }

    @Test("a keyed chain forged without the key (re-hashed with SHA-256, or HMAC under another key) is rejected")
    func forgedChain() throws {
        let key = bytes("audit-key-0123456789")
        let lines = try Self.sample(key: key)
        for forgeryKey in [nil, bytes("guessed key")] as [[UInt8]?] {
            var forged: [[UInt8]] = []
            var prev = AuditRecord.genesisHash
            for line in lines {
                let resealed = try Self.reseal(line, key: forgeryKey) { record in
                    record["prev"] = .string(prev)
                    if record.seq == 4 { record["decision"] = "denied" }
                }
                prev = try Self.hash(resealed)
                forged.append(resealed)
            }
            #expect(verifyLines([("audit.log", forged)], key: forgeryKey).isIntact, "self-consistent under the forger's key")
            let result = verifyLines([("audit.log", forged)], key: key)
            #expect(result.problem?.kind == (forgeryKey == nil ? .unkeyed : .hashMismatch))
            #expect(result.problem?.record.line == 1)
        }
    }

    @Test("a cut tail verifies but shows where the log now ends; a cut line is incomplete")
    func truncation() throws {
        let lines = try Self.sample()
        let cut = verifyLines([("audit.log", Array(lines.prefix(7)))])
        #expect(cut.isIntact)
        #expect(cut.last?.seq == 7)
        let partial = AuditVerifier.verify([.init(name: "audit.log", bytes: auditJoinLines(Array(lines.prefix(7))) + lines[7].prefix(40))], key: nil)
        #expect(partial.problem?.kind == .incomplete)
        #expect(partial.problem?.record.location == "audit.log:8")
    }

    @Test("lines changed in form only, garbage and an empty head are reported")
    func formAndGarbage() throws {
        let lines = try Self.sample()
        var spaced = lines
        spaced[2] = bytes(text(spaced[2]).replacing(#","seq":"#, with: #", "seq":"#))
        #expect(verifyLines([("a", spaced)]).problem?.kind == .notCanonical)
        var garbage = lines
        garbage.insert(bytes("hello"), at: 5)
        #expect(verifyLines([("a", garbage)]).problem?.kind == .malformed)
        #expect(verifyLines([("a", garbage)]).problem?.record.line == 6)
        let headless = verifyLines([("a", Array(lines.dropFirst(3)))])
        #expect(headless.isIntact && headless.continuesEarlierChain)
        #expect(headless.report.contains("continues a chain from earlier files"))
        #expect(verifyLines([("a", [])]).isIntact)
    }

    @Test("files given in the wrong order break the chain; a missing file is unreadable")
    func fileOrder() throws {
        let lines = try Self.sample()
        let older = Array(lines.prefix(5)), newer = Array(lines.suffix(5))
        #expect(verifyLines([("audit.log.1", older), ("audit.log", newer)]).isIntact)
        let swapped = verifyLines([("audit.log", newer), ("audit.log.1", older)])
        #expect(swapped.problem?.record.location == "audit.log.1:1")
        let missing = AuditVerifier.verify(files: ["/nonexistent/audit.log"], key: nil)
        #expect(missing.problem?.kind == .unreadable)
        #expect(missing.exitCode != 0)
    }
}
