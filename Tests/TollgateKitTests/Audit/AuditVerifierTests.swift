import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// A sample log of ten records after its file_start record: eleven lines, seq 1 to 11.
    static func sample(key: [UInt8]? = nil) throws -> [[UInt8]] {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        return try writeSampleLog(scratch.file("audit.log"), count: 10, key: key)
    }

    /// Lines re-sealed from `index` on, each after the one before it, after `change` (what someone
    /// without a key can do to a plain SHA-256 chain).
    static func rechain(_ lines: [[UInt8]], from index: Int, _ change: (inout AuditRecord) -> Void) throws -> [[UInt8]] {
        var result = Array(lines.prefix(index))
        var prev = try hash(lines[index - 1])
        for line in lines[index...] {
            let resealed = try reseal(line) { record in
                change(&record)
                record["prev"] = .string(prev)
            }
            prev = try hash(resealed)
            result.append(resealed)
        }
        return result
    }

    @Test("an untouched log verifies and reports the seq range and its last record")
    func intact() throws {
        let lines = try Self.sample()
        #expect(text(lines[0]).contains(#""event":"file_start""#))
        let result = verifyLines([("audit.log", lines)])
        #expect(result.isIntact, "\(result.report)")
        #expect(result.exitCode == 0)
        #expect(result.records == 11)
        #expect(result.firstSeq == 1 && result.last?.seq == 11)
        #expect(result.last?.line == 11)
        #expect(result.last?.hash == (try Self.hash(lines[10])))
        #expect(!result.continuesEarlierChain)
        #expect(result.report.hasPrefix("OK: 11 records in 1 file, seq 1 to 11, chain intact"), "\(result.report)")
        #expect(result.report.contains("last record: audit.log:11, seq 11, "))
    }

    @Test("an edited field is a hash mismatch at that record")
    func editedField() throws {
        var lines = try Self.sample()
        lines[4] = bytes(text(lines[4]).replacing("read_file", with: "rm_rf"))
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .hashMismatch)
        #expect(result.problem?.record.location == "audit.log:5")
        #expect(result.problem?.record.seq == 5)
        #expect(result.exitCode != 0)
        #expect(result.report.hasPrefix("FAILED: audit.log:5 (seq 5): the hash does not match"))
        #expect(result.report.contains("11 records read in 1 file, seq 1 to 11"), "\(result.report)")
        #expect(result.last?.seq == 11, "the last record is still reported")
    }

    @Test("an edited and re-hashed record breaks the link to the next one")
    func editedAndRehashed() throws {
        var lines = try Self.sample()
        lines[4] = try Self.reseal(lines[4]) { $0["tool"] = "rm_rf" }
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:6")
        #expect(result.problem?.message.contains("re-hashed") == true)
    }

    @Test("a deleted record is named at its successor")
    func deletedRecord() throws {
        var lines = try Self.sample()
        lines.remove(at: 5)
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:6")
        #expect(result.problem?.record.seq == 7)
        #expect(result.problem?.message.contains("deleted") == true)
    }

    @Test("a deleted record whose successors were re-chained without a key shows in seq")
    func deletedAndRechained() throws {
        var lines = try Self.sample()
        lines.remove(at: 5)
        let rechained = try Self.rechain(lines, from: 5) { _ in }
        let result = verifyLines([("audit.log", rechained)])
        #expect(result.problem?.kind == .sequence, "\(result.report)")
        #expect(result.problem?.record.location == "audit.log:6")
        #expect(result.problem?.message.contains("seq 7 follows seq 5") == true, "\(result.report)")
    }

    @Test("a swapped pair is reported as out of order")
    func swappedPair() throws {
        var lines = try Self.sample()
        lines.swapAt(5, 6)
        let result = verifyLines([("audit.log", lines)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:6")
        #expect(result.problem?.message.contains("out of order") == true)
    }

    @Test("an inserted record is named, whether its prev fits the record before it or not")
    func insertedRecord() throws {
        let lines = try Self.sample()
        // Forged to follow line 4 (consistent hash and prev): the break shows at line 6, the insertion at line 5.
        var fitting = lines
        let forged = try Self.reseal(lines[4]) { record in
            record["tool"] = "exfiltrate"
        }
        let hashOfFour = try Self.hash(lines[3])
        let forgedAfterFour = try Self.reseal(forged) { $0["prev"] = .string(hashOfFour) }
        fitting.insert(forgedAfterFour, at: 4)
        var result = verifyLines([("audit.log", fitting)])
        #expect(result.problem?.kind == .chainBroken)
        #expect(result.problem?.record.location == "audit.log:5")
        #expect(result.problem?.message.contains("inserted") == true)
        // With an arbitrary prev.
        var arbitrary = lines
        arbitrary.insert(try Self.reseal(lines[4]) { $0["prev"] = .string(String(repeating: "ab", count: 32)) }, at: 4)
        result = verifyLines([("audit.log", arbitrary)])
        #expect(result.problem?.record.location == "audit.log:5")
        #expect(result.problem?.message.contains("inserted") == true)
        // A replayed copy.
        var replayed = lines
        replayed.insert(lines[3], at: 6)
        result = verifyLines([("audit.log", replayed)])
        #expect(result.problem?.record.location == "audit.log:7")
        #expect(result.problem?.message.contains("replayed") == true)
    }

    @Test("a keyed log verifies with its key; without it the check cannot be made")
    func keyed() throws {
        let key = bytes("audit-key-0123456789")
        let lines = try Self.sample(key: key)
        #expect(text(lines[0]).contains(#""alg":"hmac-sha256""#), "the file_start record is keyed too")
        let keyed = verifyLines([("audit.log", lines)], key: key)
        #expect(keyed.isIntact)
        #expect(keyed.algorithm == "hmac-sha256")
        #expect(keyed.report.hasPrefix("OK: 11 records in 1 file, seq 1 to 11, chain intact, keyed (HMAC-SHA-256)"))
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
        let cut = verifyLines([("audit.log", Array(lines.prefix(8)))])
        #expect(cut.isIntact)
        #expect(cut.last?.seq == 8)
        #expect(cut.report.contains("seq 1 to 8"))
        let partial = AuditVerifier.verify([.init(name: "audit.log", bytes: auditJoinLines(Array(lines.prefix(8))) + lines[8].prefix(40))], key: nil)
        #expect(partial.problem?.kind == .incomplete)
        #expect(partial.problem?.record.location == "audit.log:9")
    }

    @Test("a cut head fails: the file_start record gone, or records after it gone with it")
    func cutHead() throws {
        let lines = try Self.sample()
        let noStart = verifyLines([("audit.log", Array(lines.dropFirst()))])
        #expect(noStart.problem?.kind == .noFileStart, "\(noStart.report)")
        #expect(noStart.problem?.record.location == "audit.log:1")
        #expect(noStart.exitCode != 0)
        let headless = verifyLines([("audit.log", Array(lines.dropFirst(3)))])
        #expect(headless.problem?.kind == .noFileStart, "\(headless.report)")
        #expect(headless.report.contains("its first records were cut"), "\(headless.report)")
        // Cut, then a file_start record made up to stand at the head (possible without a key):
        // it is not seq 1, and a forged seq 1 does not follow on to the next record.
        let hashOfThree = try Self.hash(lines[2])
        let madeUp = try Self.reseal(lines[0]) { record in
            record["seq"] = 4
            record["prev"] = .string(hashOfThree)
        }
        let restarted = verifyLines([("audit.log", [madeUp] + Array(lines.dropFirst(4)))])
        #expect(restarted.problem?.kind == .sequence, "\(restarted.report)")
        #expect(restarted.report.contains("starts at seq 4, not 1") && restarted.report.contains("--from 4"), "\(restarted.report)")
        let relabelled = try Self.reseal(madeUp) { $0["seq"] = 1 }
        #expect(verifyLines([("audit.log", [relabelled] + Array(lines.dropFirst(4)))]).problem?.kind == .sequence)
    }

    @Test("an empty log fails, and so does an empty file among others")
    func empty() throws {
        let none = verifyLines([("audit.log", [])])
        #expect(none.problem?.kind == .empty, "\(none.report)")
        #expect(none.exitCode != 0)
        #expect(none.report.hasPrefix("FAILED: audit.log: no records"), "\(none.report)")
        #expect(AuditVerifier.verify([], key: nil).problem?.kind == .empty)
        let lines = try Self.sample()
        let emptyNewest = verifyLines([("audit.log.1", lines), ("audit.log", [])])
        #expect(emptyNewest.problem?.kind == .empty && emptyNewest.problem?.record.file == "audit.log", "\(emptyNewest.report)")
    }

    @Test("--from accepts a log that legitimately starts later, and only at that seq")
    func fromSeq() throws {
        let lines = try Self.sample()
        let later = Array(lines.dropFirst(3))
        let accepted = verifyLines([("audit.log", later)], from: 4)
        #expect(accepted.isIntact, "\(accepted.report)")
        #expect(accepted.continuesEarlierChain && accepted.firstSeq == 4)
        #expect(accepted.report.hasPrefix("OK: 8 records in 1 file, seq 4 to 11, chain intact"), "\(accepted.report)")
        #expect(accepted.report.contains("starts at seq 4, as --from says"), "\(accepted.report)")
        let wrong = verifyLines([("audit.log", later)], from: 2)
        #expect(wrong.problem?.kind == .sequence && wrong.report.contains("not at seq 2 as --from says"), "\(wrong.report)")
        #expect(verifyLines([("audit.log", lines)], from: 1).isIntact)
        #expect(verifyLines([("audit.log", lines)], from: 2).problem?.kind == .sequence)
    }

    @Test("lines changed in form only, and garbage, are reported")
    func formAndGarbage() throws {
        let lines = try Self.sample()
        var spaced = lines
        spaced[2] = bytes(text(spaced[2]).replacing(#","seq":"#, with: #", "seq":"#))
        #expect(verifyLines([("a", spaced)]).problem?.kind == .notCanonical)
        var garbage = lines
        garbage.insert(bytes("hello"), at: 5)
        #expect(verifyLines([("a", garbage)]).problem?.kind == .malformed)
        #expect(verifyLines([("a", garbage)]).problem?.record.line == 6)
    }

    @Test("rotated files verify oldest first; in the wrong order the head is wrong; a missing file is unreadable")
    func fileOrder() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let path = scratch.file("audit.log")
        let log = try AuditLog.open(path: path, fsync: .batch, rotateBytes: 3000, key: nil)
        for index in 0..<10 { try log.append(sampleDecision(index)) }
        try log.close()
        #expect(access(path + ".1", F_OK) == 0 && access(path + ".2", F_OK) != 0, "two files")
        #expect(AuditVerifier.verify(files: [path + ".1", path], key: nil).isIntact)
        let swapped = AuditVerifier.verify(files: [path, path + ".1"], key: nil)
        #expect(swapped.problem?.record.location == "\(path):1", "\(swapped.report)")
        let missing = AuditVerifier.verify(files: ["/nonexistent/audit.log"], key: nil)
        #expect(missing.problem?.kind == .unreadable)
        #expect(missing.exitCode != 0)
    }
}
