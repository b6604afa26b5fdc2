import Foundation
import Testing

/// The call path fails closed when its effects cannot be carried out: a call whose decision
/// cannot be written is answered `audit_unavailable`, one whose reservation cannot be written
/// `budget_unavailable`, and neither reaches the server; once the disk has room again, calls run
/// again. The disks fill for real: a small tmpfs (which needs root), or `RLIMIT_FSIZE`.
@Suite("Call path fails closed", .timeLimit(.minutes(2)))
struct CallPathFailClosedTests {
    /// Sends one call and returns its answer.
    private func call(_ gate: GateProcess, _ tag: String) async throws -> CallAnswer {
        let call = taggedCall(tag)
        return try #require(try await sendAtOnce(gate, [call])[call.id])
    }

    /// `prefix` and `index` in three digits (`f007`): tags of one length make records of one
    /// length, so a record that did not fit is followed by none that fits.
    private func tag(_ prefix: String, _ index: Int) -> String {
        prefix + String(repeating: "0", count: max(0, 3 - String(index).count)) + String(index)
    }

    /// Sends calls one by one (tags `prefix000`, `prefix001`, …) until one is not answered by the
    /// server; returns the tags answered and that first other answer.
    private func callUntilRefused(_ gate: GateProcess, prefix: String, limit: Int) async throws -> (ran: [String], refusal: CallAnswer?) {
        var ran: [String] = []
        for index in 0..<limit {
            let tag = tag(prefix, index)
            let answer = try await call(gate, tag)
            guard answer == .result(tag) else { return (ran, answer) }
            ran.append(tag)
        }
        return (ran, nil)
    }

    /// With the disk full: 20 calls sent at once are all denied `code` and the server ran only
    /// the calls in `ran`; then `room` is removed, a call runs again, and the gate ends. Checks
    /// the chain and that the allowed decisions are those of the calls that ran; returns them.
    private func expectRefusedUntilRoom(_ gate: GateProcess, code: String, ran: [String], room: String,
                                        _ files: CallPathFiles) async throws -> (decisions: AuditDecisions, refused: [String]) {
        let refused = (0..<20).map { taggedCall(tag("g", $0)) }
        let answers = try await sendAtOnce(gate, refused)
        let ranAnyway = refused.filter { answers[$0.id] != .denied(code) }.map { "\($0.id): \(answers[$0.id]?.description ?? "none")" }
        #expect(ranAnyway.isEmpty, "calls on a full disk not denied \(code): \(ranAnyway.prefix(3))")
        #expect(files.executedIDs == ran.map { "\"\($0)\"" }, "the server ran \(files.executedIDs.count) calls, \(ran.count) were answered")

        // Room again: calls run again.
        #expect(unlink(room) == 0)
        #expect(try await call(gate, "h000") == .result("h000"), "\(gate.stderrTail)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")

        let problems = try await files.auditProblems()
        #expect(problems == nil, "\(problems ?? "")")
        let decisions = try AuditDecisions(files.audit)
        #expect(decisions.allowedCount == ran.count + 1, "allowed records: \(decisions.allowedCount)")
        #expect(files.earlyCalls.isEmpty, "calls that reached the server before their records: \(files.earlyCalls.prefix(3))")
        return (decisions, refused.map(\.id))
    }

    @Test("the audit log's disk fills: calls are denied audit_unavailable and never run, their reservations are released; with room again calls run and the chain verifies")
    func fullAuditDisk() async throws {
        let disk = try SmallFilesystem("audit-disk", kilobytes: 64)
        try disk.write("room", bytes: 16 * 1024)  // freed later
        let directory = try TemporaryDirectory("audit-full")
        let files = CallPathFiles(in: directory, audit: disk.path("audit.log"))
        let manifest = try writeFile(try CallPathInvariantTests.manifest(files, fsync: "always", cap: 100_000), named: "manifest.json", in: directory)
        let gate = try CallPathInvariantTests.startGate(manifest, environment: files.fixtureEnvironment(checkingLedger: true), in: directory)
        try await initialize(gate)

        // The log grows until the disk is full (about 48 KiB of decision and outcome records).
        let (ran, refusal) = try await callUntilRefused(gate, prefix: "f", limit: 400)
        #expect(refusal == .denied("audit_unavailable"), "the first call not run was answered \(refusal?.description ?? "nothing")")
        #expect(ran.count >= 10, "only \(ran.count) calls ran before the disk was full")
        // Records of the same size or larger cannot be written either: every call is refused.
        let (decisions, refused) = try await expectRefusedUntilRoom(gate, code: "audit_unavailable", ran: ran, room: disk.path("room"), files)
        #expect(([taggedCall(tag("f", ran.count)).id] + refused).allSatisfy { decisions.allowed[$0] == nil })
        // A refused call's reservation was taken back: the ledger counts the calls that ran.
        #expect(try await files.ledgerCalls(manifest: manifest) == ran.count + 1)
        Swift.print("full audit disk: \(ran.count) calls ran before the disk was full, 21 refused, 1 ran after room was made")
    }

    @Test("the ledger's disk fills: calls are denied budget_unavailable, never run, and are recorded as denied; with room again calls run")
    func fullLedgerDisk() async throws {
        let disk = try SmallFilesystem("ledger-disk", kilobytes: 64)
        let directory = try TemporaryDirectory("ledger-full")
        let files = CallPathFiles(in: directory, ledger: disk.path("budgets.ledger"))
        let manifest = try writeFile(try CallPathInvariantTests.manifest(files, cap: 100_000), named: "manifest.json", in: directory)
        let gate = try CallPathInvariantTests.startGate(manifest, environment: files.fixtureEnvironment(checkingLedger: true), in: directory)
        try await initialize(gate)
        let before = try await callUntilRefused(gate, prefix: "e", limit: 3)
        #expect(before.ran.count == 3 && before.refusal == nil, "\(before)")

        // Fill the disk: the ledger's last page may still hold a few dozen reservations.
        try disk.fill()
        let (ran, refusal) = try await callUntilRefused(gate, prefix: "f", limit: 200)
        #expect(refusal == .denied("budget_unavailable"), "the first call not run was answered \(refusal?.description ?? "nothing")")
        let allRan = before.ran + ran
        let (decisions, refused) = try await expectRefusedUntilRoom(gate, code: "budget_unavailable", ran: allRan, room: disk.path("filler"), files)
        let firstRefused = taggedCall(tag("f", ran.count)).id
        let misrecorded = ([firstRefused] + refused).filter { decisions.allowed[$0] != nil || decisions.denied[$0] != ["budget_unavailable"] }
        #expect(misrecorded.isEmpty, "refused calls not recorded as denied (budget_unavailable) alone: \(misrecorded.prefix(3))")
        #expect(try await files.ledgerCalls(manifest: manifest) == allRan.count + 1)
        Swift.print("full ledger disk: \(ran.count) calls ran after the disk was filled (the ledger's last page), 21 refused, 1 ran after room was made")
    }

    /// The file `RLIMIT_FSIZE` stops, and the denial that follows.
    enum LimitedFile: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case audit, ledger

        /// The denial code of a call whose record cannot be written to the file.
        var code: String { self == .audit ? "audit_unavailable" : "budget_unavailable" }
        var testDescription: String { self == .audit ? "the audit log" : "the ledger" }
    }

    @Test("RLIMIT_FSIZE reached at a record's end: the next call is denied (audit_unavailable, budget_unavailable) and never runs; tollgate is not killed by SIGXFSZ",
          arguments: LimitedFile.allCases)
    func fileSizeLimit(_ limited: LimitedFile) async throws {
        let directory = try TemporaryDirectory("fsize-\(limited.rawValue)")
        let files = CallPathFiles(in: directory)
        // Only the limited file: another file past the limit would fail first.
        let manifest = try writeFile(try CallPathInvariantTests.manifest(files, audit: limited == .audit, cap: limited == .ledger ? 100_000 : nil),
                                     named: "manifest.json", in: directory)
        let path = limited == .audit ? files.audit : files.ledger
        // stderr is a pipe: a file would fall under the limit too.
        let gate = try GateProcess(tollgate: ["run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
                                   environment: files.fixtureEnvironment(checkingAudit: limited == .audit, checkingLedger: limited == .ledger),
                                   in: directory, stderrToPipe: true)
        try await initialize(gate)
        let before = try await callUntilRefused(gate, prefix: "e", limit: 5)
        #expect(before.ran.count == 5 && before.refusal == nil, "\(before)")
        // An outcome record is written after its response was relayed: wait until the file stops growing.
        var size = -1
        while true {
            try await Task.sleep(for: .milliseconds(200))
            let now = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if now == size { break }
            size = now
        }
        // The limit is where the file ends: the next record's write starts at the limit, which
        // the kernel answers with SIGXFSZ (and EFBIG when that is ignored). The soft limit only,
        // so it can be lifted again.
        let limit = try await Subprocess.run(["prlimit", "--pid", "\(gate.pid)", "--fsize=\(size):"], timeout: .seconds(10))
        try #require(limit.status == 0, "prlimit: \(limit.stderr)")
        for index in 0..<3 {
            let call = taggedCall(tag("g", index))
            try await gate.send(call.line)
            guard let line = try await gate.readLineOrEnd() else {
                let status = try await gate.waitForExit()
                Issue.record("tollgate ended (status \(status)\(status == 128 + SIGXFSZ ? ", SIGXFSZ" : "")) instead of answering \(call.id)")
                return
            }
            #expect(CallAnswer(try JSON(parsing: line)) == .denied(limited.code), "\(line.text)")
        }
        #expect(files.executedIDs == before.ran.map { "\"\($0)\"" })
        let lifted = try await Subprocess.run(["prlimit", "--pid", "\(gate.pid)", "--fsize=unlimited:"], timeout: .seconds(10))
        try #require(lifted.status == 0, "prlimit: \(lifted.stderr)")
        #expect(try await call(gate, "h000") == .result("h000"))
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0)
        if limited == .audit {
            let problems = try await files.auditProblems()
            #expect(problems == nil, "\(problems ?? "")")
        } else {
            #expect(try await files.ledgerCalls(manifest: manifest) == 6)
        }
        #expect(files.earlyCalls.isEmpty, "calls that reached the server before their records: \(files.earlyCalls.prefix(3))")
    }
}
