import Foundation
import Testing
import TollgateKit

/// Generated streams (``FramingStream``: raw carriage returns between tokens, line separators
/// inside strings, CRLF, blank lines, batches, messages hiding messages) sent through the gate to
/// peers that read with real readers: the official Python SDK's own stdio transports, Node's
/// `readline`, and a byte-exact `\n` splitter. Every reader must extract the same lines, each a
/// message the gate forwarded, which is a message the sender sent; and every `tools/call` a
/// server's reader parsed must have an `allowed` decision in the audit log.
@Suite("Framing: generated streams through the gate to real readers", .timeLimit(.minutes(3)))
struct FramingDifferentialTests {
    /// A reader at the far side of the gate.
    enum Reader: String, CaseIterable, Sendable {
        case pythonSDK = "python-sdk"
        case node
        case bytes

        /// The peer's command line, as a server (reading stdin) or as a client of `gate`; it sends
        /// the requests in the file `asks` first.
        func command(record: String, asks: String, python: String, client gate: [String]? = nil) -> [String] {
            let side = gate == nil ? "server" : "client"
            let peer: [String] = switch self {
            case .pythonSDK: [python, Repository.framingPeer, "\(side)-sdk"]
            case .node: ["node", Repository.framingPeerNode, side]
            case .bytes: ["python3", Repository.framingPeer, "\(side)-bytes"]
            }
            return peer + [record, "--ask", asks] + (gate.map { ["--"] + $0 } ?? [])
        }
    }

    /// What a peer's reader extracted: every line, and the `tools/call` requests it parsed.
    struct Extracted: Sendable {
        var lines: [[UInt8]]
        var calls: [(id: [UInt8], name: String)]

        init(record path: String) throws {
            let record = try JSON(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            lines = try (record["lines"].strings ?? []).map { hex in
                guard let line = Hex.decode(hex) else { throw E2EError("\(path): not hex: \(hex)") }
                return line
            }
            calls = try (record["calls"].array ?? []).map { call in
                (AuditRecord.canonicalBytes(try JSONValue.parse(call["id"].string ?? "")), call["name"].string ?? "")
            }
        }
    }

    /// The request sent after a stream, which every server peer answers: once it is answered,
    /// the peer has read all before it.
    static let last = #"{"jsonrpc":"2.0","id":"framing-end","method":"ping"}"#

    /// A stream of 300 lines from `seed`.
    static func stream(_ direction: FramingStream.Direction, seed: Int) -> FramingStream {
        var choices = StreamChoices(blocks: { SHA256.hash("tollgate framing \(seed) \($0)") })
        return FramingStream(direction, lines: 300, choices: &choices)
    }

    /// A ping for each response in `stream`, with its id, written to `asks` in `directory`: the
    /// side that reads the stream sends them first, so that each response answers a request in
    /// flight (the gate forwards no other). Returns the file's path and the number of pings.
    static func asks(for stream: FramingStream, in directory: TemporaryDirectory) throws -> (path: String, count: Int) {
        var pings: [UInt8] = []
        var count = 0
        for line in stream.lines where line.isJSON {
            let value = try JSONValue.parse(line.content)
            for (element, role) in zip(value.arrayValue ?? [value], line.roles) where role == .response {
                let id = try #require(element["id"], "a generated response without an id: \(line.content.text)")
                pings += Array(#"{"jsonrpc":"2.0","id":"#.utf8) + AuditRecord.canonicalBytes(id) + Array(#","method":"ping"}"#.utf8) + [0x0A]
                count += 1
            }
        }
        let path = directory.path("asks")
        try Data(pings).write(to: URL(fileURLWithPath: path))
        return (path, count)
    }

    /// The manifest: `echo` allowed, `forbidden` denied, every decision recorded in `audit`.
    static func manifest(audit: String, in directory: TemporaryDirectory, named name: String) throws -> String {
        try writeFile(#"""
            {"version": 1, "policy": {"default": "deny", "validateInput": false},
             "audit": {"path": "\#(try jsonEscaped(audit))", "arguments": "full"},
             "tools": {"\#(FramingStream.allowedTool)": {}, "\#(FramingStream.deniedTool)": {"allow": false, "reason": "the framing tests deny it"}}}
            """#, named: name, in: directory)
    }

    /// The canonical bytes of every message (batch elements one by one) of `stream` that the gate
    /// forwards, sorted; `policy`: with the manifest (which denies ``FramingStream/deniedTool``).
    static func forwarded(_ stream: FramingStream, policy: Bool) throws -> [[UInt8]] {
        var messages: [[UInt8]] = []
        for line in stream.lines where line.isJSON {
            let value = try JSONValue.parse(line.content)
            let elements = value.arrayValue ?? [value]
            try #require(elements.count == line.roles.count, "the generator's roles do not match its line \(line.content.text)")
            for (element, role) in zip(elements, line.roles) {
                switch role {
                case .passThrough, .response, .allowedCall: messages.append(AuditRecord.canonicalBytes(element))
                case .deniedCall where !policy: messages.append(AuditRecord.canonicalBytes(element))
                case .deniedCall, .callNotification: break
                }
            }
        }
        return messages.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Checks what every reader extracted: the same lines as the byte-exact splitter, each JSON,
    /// together exactly the messages the gate forwards.
    static func expectAgreement(_ extracted: [Reader: Extracted], forwarded expected: [[UInt8]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reference = try #require(extracted[.bytes], sourceLocation: sourceLocation)
        for (reader, record) in extracted.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if record.lines != reference.lines {
                let first = record.lines.indices.first { !reference.lines.indices.contains($0) || record.lines[$0] != reference.lines[$0] } ?? record.lines.count
                Issue.record("""
                    \(reader.rawValue) extracted \(record.lines.count) lines, the \\n splitter \(reference.lines.count); first difference at line \(first):
                      \(reader.rawValue): \(record.lines.indices.contains(first) ? record.lines[first].text.debugDescription : "none")
                      \\n splitter: \(reference.lines.indices.contains(first) ? reference.lines[first].text.debugDescription : "none")
                    """, sourceLocation: sourceLocation)
            }
            var messages: [[UInt8]] = []
            var notJSON: [[UInt8]] = []
            for line in record.lines {
                guard let value = try? JSONValue.parse(line) else {
                    notJSON.append(line)
                    continue
                }
                messages += (value.arrayValue ?? [value]).map(AuditRecord.canonicalBytes)
            }
            messages.sort { $0.lexicographicallyPrecedes($1) }
            let unexpected = messages.filter { !expected.contains($0) }
            if !notJSON.isEmpty {
                Issue.record("\(reader.rawValue) extracted \(notJSON.count) lines that are not JSON, so no message the gate forwarded, such as \(notJSON.prefix(3).map(\.text))",
                             sourceLocation: sourceLocation)
            }
            if !unexpected.isEmpty {
                Issue.record("\(reader.rawValue) read \(unexpected.count) messages the gate did not forward, such as \(unexpected.prefix(3).map(\.text))",
                             sourceLocation: sourceLocation)
            }
            let readAsForwarded = messages == expected
            #expect(readAsForwarded, "\(reader.rawValue) read \(messages.count) messages; the gate forwards \(expected.count)", sourceLocation: sourceLocation)
        }
    }

    @Test("client to server: every server's reader extracts exactly the messages the gate forwarded; each call it parsed was allowed and audited",
          arguments: [true, false])
    func clientToServer(withManifest: Bool) async throws {
        let stream = Self.stream(.toServer, seed: withManifest ? 1 : 2)
        let bytes = stream.bytes
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("framing-to-server")
        let asks = try Self.asks(for: stream, in: directory)
        let runs = try await withThrowingTaskGroup(of: (Reader, Extracted, [JSONValue]).self) { group in
            for reader in Reader.allCases {
                group.addTask {
                    let record = directory.path("\(reader.rawValue).json")
                    let audit = directory.path("\(reader.rawValue).audit")
                    let options = withManifest ? ["--manifest", try Self.manifest(audit: audit, in: directory, named: "\(reader.rawValue).manifest.json")] : []
                    let gate = try GateProcess(server: reader.command(record: record, asks: asks.path, python: python), options: options, in: directory)
                    // The server's requests reach the client before the client's answers go out.
                    for _ in 0..<asks.count { _ = try await gate.readLine(timeout: .seconds(60)) }
                    // The gate's answers (errors, denials) are read while the stream goes in, so it never blocks on
                    // them, up to the answer to the last request (the peer has read everything then).
                    async let answers = gate.readLines(timeout: .seconds(60)) { $0.contains(bytes: Array(#""id":"framing-end""#.utf8)) }
                    try await gate.send(bytes: bytes + Array((Self.last + "\n").utf8), timeout: .seconds(60))
                    _ = try await answers
                    gate.closeInput()
                    _ = try await gate.readAll()
                    // (A loaded machine may keep a peer busy past the 2 s Tollgate waits before SIGTERM: its status
                    // tells nothing here; its record was written before it answered.)
                    try await gate.waitForExit(timeout: .seconds(60))
                    let decisions = withManifest ? try fileLines(audit).map { try JSONValue.parse($0) } : []
                    return (reader, try Extracted(record: record), decisions)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = ($1.1, $1.2) }
        }
        let expected = try Self.forwarded(stream, policy: withManifest) + [AuditRecord.canonicalBytes(try JSONValue.parse(Self.last))]
        try Self.expectAgreement(runs.mapValues(\.0), forwarded: expected.sorted { $0.lexicographicallyPrecedes($1) })
        guard withManifest else { return }
        for (reader, (extracted, audit)) in runs {
            let allowed = audit.compactMap { record -> [UInt8]? in
                guard record["event"]?.stringValue?.utf8.elementsEqual("decision".utf8) == true,
                    record["decision"]?.stringValue?.utf8.elementsEqual("allowed".utf8) == true,
                    record["tool"]?.stringValue?.utf8.elementsEqual(FramingStream.allowedTool.utf8) == true,
                    let id = record["id"]?.stringValue.flatMap({ try? JSONValue.parse($0) })  // the id's JSON text, as sent
                else { return nil }
                return AuditRecord.canonicalBytes(id)
            }
            #expect(!extracted.calls.isEmpty, "\(reader.rawValue) parsed no tools/call at all")
            let unaudited = extracted.calls.filter { !$0.name.utf8.elementsEqual(FramingStream.allowedTool.utf8) || !allowed.contains($0.id) }
            if !unaudited.isEmpty {
                Issue.record("\(reader.rawValue) parsed \(unaudited.count) calls with no allowed decision in the audit log, such as \(unaudited.prefix(3).map { "\($0.name) id \($0.id.text)" })")
            }
        }
    }

    @Test("server to client: every client's reader extracts exactly the messages the gate forwarded", arguments: [true, false])
    func serverToClient(withManifest: Bool) async throws {
        let stream = Self.stream(.toClient, seed: withManifest ? 3 : 4)
        let python = try await PythonEnvironment.python()
        let tollgate = try TollgateBinary.path()
        let directory = try TemporaryDirectory("framing-to-client")
        let streamPath = directory.path("stream")
        try Data(stream.bytes).write(to: URL(fileURLWithPath: streamPath))
        let asks = try Self.asks(for: stream, in: directory)
        let extracted = try await withThrowingTaskGroup(of: (Reader, Extracted).self) { group in
            for reader in Reader.allCases {
                group.addTask {
                    let record = directory.path("\(reader.rawValue).json")
                    let audit = directory.path("\(reader.rawValue).audit")
                    let options = withManifest ? ["--manifest", try Self.manifest(audit: audit, in: directory, named: "\(reader.rawValue).manifest.json")] : []
                    // The server writes the stream once the client's requests reached it, and exits.
                    let gate = [tollgate, "run"] + options + ["--", "python3", Repository.framingPeer, "emit", streamPath, "\(asks.count)"]
                    let output = try await Subprocess.run(reader.command(record: record, asks: asks.path, python: python, client: gate), timeout: .seconds(90))
                    guard output.status == 0 else { throw E2EError("the \(reader.rawValue) client exited \(output.status): \(output.stderr.suffix(3000))") }
                    return (reader, try Extracted(record: record))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        try Self.expectAgreement(extracted, forwarded: try Self.forwarded(stream, policy: withManifest))
    }
}

extension GateProcess {
    /// Every line tollgate writes until it closes its stdout.
    func readAll(timeout: Duration = .seconds(60)) async throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while let line = try await readLineOrEnd(timeout: timeout) { lines.append(line) }
        return lines
    }
}
