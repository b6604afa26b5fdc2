import Foundation
import Testing
import TollgateKit

/// A large message each way keeps tollgate's memory near the messages themselves: its peak RSS
/// (VmHWM) stays within 1.25 × (the request + the response) + 20 MB, without a manifest and with
/// one that checks, audits and counts the call; and the audit record keeps 64 KiB of the
/// argument, the hash of all of it, and verifies.
///
/// The messages are 32 MiB: small enough for a fast suite, large enough that the bound's 20 MB
/// (meant for a release build) also hold the larger idle footprint of the unoptimized build tested here.
@Suite("Bounded memory for large messages", .serialized, .timeLimit(.minutes(3)))
struct MessageMemoryTests {
    static let size = 32 << 20
    /// Plain ASCII that needs no escaping, varied so that a reordered or lost chunk shows.
    static let payload = [UInt8].repeating(Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=-_.:;!?~".utf8), count: size)
    static let auditKey = "e2e-large-message-audit-key"

    /// What tollgate may hold at its peak with `request` and `response` bytes in flight.
    static func bound(request: Int, response: Int) -> Int {
        Int(1.25 * Double(request + response)) + 20_000_000
    }

    /// Sends an `echo` call with the payload and reads its echo; returns both lines' sizes.
    static func echo(through gate: GateProcess) async throws -> (request: Int, response: Int) {
        let request = concatenate([Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":""#.utf8),
                                   payload, Array(#""}}}"#.utf8), [0x0A]])
        try await gate.send(bytes: request, timeout: .seconds(60))
        let line = try await gate.readLine(timeout: .seconds(90))
        let head = Array(#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":""#.utf8)
        let tail = Array(#""}]}}"#.utf8)
        // Only scalars go into #expect: a failure must not try to describe 32 MiB arrays.
        let (length, start) = (line.count, line.prefix(200).text)
        let whole = line.matches(head, at: 0) && line.matches(payload, at: head.count) && line.matches(tail, at: head.count + size)
        #expect(length == head.count + size + tail.count, "response of \(length) bytes: \(start)…")
        #expect(whole, "the echo is not the 32 MiB sent: \(start)…")
        return (request.count, line.count)
    }

    /// Tollgate's peak RSS in bytes, checked against the bound.
    static func expectWithinBound(_ gate: GateProcess, _ sizes: (request: Int, response: Int), _ what: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let peak = try #require(ProcFS.peakResidentKilobytes(gate.pid), "no VmHWM for tollgate") * 1024
        let bound = bound(request: sizes.request, response: sizes.response)
        print("\(what): one \(size >> 20) MiB message each way, tollgate's VmHWM \(peak >> 20) MiB (bound \(bound >> 20) MiB)")
        #expect(peak <= bound, "\(what): tollgate's peak RSS \(peak) bytes passes 1.25 × (\(sizes.request) + \(sizes.response)) + 20 MB = \(bound)",
                sourceLocation: sourceLocation)
    }

    @Test("without a manifest: peak RSS within 1.25 × (request + response) + 20 MB")
    func withoutManifest() async throws {
        let session = try FixtureSession("memory-plain", environment: ["FIXTURE_LOG": nil, "FIXTURE_QUIET": "1"])
        let sizes = try await Self.echo(through: session.gate)
        try Self.expectWithinBound(session.gate, sizes, "no manifest")
        #expect(try await session.finish() == 0)
    }

    @Test("with an argument schema, an HMAC audit trail and a budget on a ledger: the same bound; the record keeps 64 KiB, hashes all, verifies")
    func withAuditedManifest() async throws {
        let directory = try TemporaryDirectory("memory-audit")
        let auditPath = directory.path("audit.log")
        let manifest = """
            {"version": 1,
             "tools": {"echo": {"arguments": {"type": "object", "properties": {"text": {"type": "string", "minLength": 1}}, "required": ["text"]}}},
             "audit": {"path": "\(try jsonEscaped(auditPath))"},
             "budgets": {"calls": 100, "ledger": "\(try jsonEscaped(directory.path("budgets.ledger")))"}}
            """
        let session = try PolicySession("memory-audit", manifest: manifest,
                                        environment: ["FIXTURE_LOG": nil, "TOLLGATE_AUDIT_KEY": Self.auditKey])
        let sizes = try await Self.echo(through: session.gate)
        try Self.expectWithinBound(session.gate, sizes, "manifest with audit and budgets")
        #expect(try await session.finish() == 0)

        // The decision record: the argument cut to a marker with its size, the cut noted with the
        // size of all the arguments, and the SHA-256 of all of them.
        let records = fileLines(auditPath)
        let longest = records.map(\.count).max() ?? 0
        #expect(longest < 80 << 10, "the longest audit record has \(longest) bytes")
        let decision = try #require(try records.map { try JSON(parsing: $0) }.first { $0["event"].string == "decision" }, "no decision record")
        let canonical = concatenate([Array(#"{"text":""#.utf8), Self.payload, Array(#""}"#.utf8)])
        // Only short text goes into #expect: a failure must not print 32 MiB.
        let kept = decision["arguments"]["text"].string.map { $0.utf8.count > 200 ? "\($0.prefix(100))… (\($0.utf8.count) bytes)" : $0 }
        #expect(kept == "[CUT: \(Self.size + 2) bytes]", "the record keeps \(kept ?? "no text")")
        #expect(decision["argumentsCut"]["bytes"].int == canonical.count && decision["argumentsCut"]["omitted"].int == 0, "\(decision["argumentsCut"])")
        #expect(decision["argumentsSha256"].string == Hex.encode(SHA256.hash(canonical)), "\(decision["argumentsSha256"])")
        let verified = try await runTollgate(["audit", "verify", auditPath], environment: ["TOLLGATE_AUDIT_KEY": Self.auditKey])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderr)")
    }
}
