import Synchronization
import Testing
@testable import TollgateKit

// Helpers shared by the unit tests: bytes from text, scanning and parsing shortcuts, a
// deterministic random generator and a diagnostics sink.

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// `bytes` as text (lossy for invalid UTF-8; only used for messages and assertions on valid text).
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Validates one JSON document with ``JSONScanner`` and returns the error, or nil when accepted.
func scanError(_ input: [UInt8], maxDepth: Int = JSONScanner.defaultMaxDepth) -> JSONScanError? {
    input.withUnsafeBytes { buffer -> JSONScanError? in
        var scanner = JSONScanner(buffer, maxDepth: maxDepth)
        do throws(JSONScanError) {
            try scanner.validateDocument()
            return nil
        } catch {
            return error
        }
    }
}

/// Validates one JSON document given as text.
func scanError(_ input: String, maxDepth: Int = JSONScanner.defaultMaxDepth) -> JSONScanError? {
    scanError(bytes(input), maxDepth: maxDepth)
}

/// Parses with ``JSONValue/parse(_:maxDepth:)`` and returns the error, or nil when accepted.
func parseError(_ input: [UInt8], maxDepth: Int = JSONScanner.defaultMaxDepth) -> JSONScanError? {
    input.withUnsafeBytes { buffer -> JSONScanError? in
        do throws(JSONScanError) {
            _ = try JSONValue.parse(buffer, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }
}

/// Parses a JSON document; a line's trailing newline is ignored (it is whitespace).
func json(_ input: [UInt8]) throws -> JSONValue {
    try JSONValue.parse(input)
}

/// Parses a JSON document given as text.
func json(_ input: String) throws -> JSONValue {
    try JSONValue.parse(input)
}

/// Scans a line as a JSON-RPC envelope.
func envelope(_ input: String) -> Result<ScannedLine, MalformedLine> {
    MessageEnvelope.scan(bytes(input))
}

/// The single envelope of a line that must scan.
func singleEnvelope(_ input: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> MessageEnvelope {
    let result = envelope(input)
    guard case .success(.single(let envelope)) = result else {
        Issue.record("expected a single message, got \(result)", sourceLocation: sourceLocation)
        throw TestFailure()
    }
    return envelope
}

/// The exact bytes of a range of `line`, as text.
func slice(_ line: String, _ range: Range<Int>?) -> String? {
    guard let range else { return nil }
    return text(Array(bytes(line)[range]))
}

/// The exact bytes of the `id` member of a complete line Tollgate wrote (found by scanning it).
func idText(ofLine line: [UInt8]) -> String? {
    guard case .success(.single(let envelope)) = MessageEnvelope.scan(line), let range = envelope.id else { return nil }
    return text(Array(line[range]))
}

/// Thrown to stop a test after ``Issue/record(_:sourceLocation:)``.
struct TestFailure: Error {}

/// SplitMix64: a small deterministic generator so randomized tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Collects diagnostics (thread-safe) for tests that check what was logged.
final class LogSink: Sendable {
    private let storage = Mutex<[String]>([])

    var diagnostics: Diagnostics {
        Diagnostics { [self] message in storage.withLock { $0.append(message) } }
    }

    var lines: [String] { storage.withLock { $0 } }
}

extension RelaySession {
    /// Decides a client line given as text (without its newline).
    mutating func client(_ line: String) -> RelayActions { client(bytes(line)) }

    /// Decides a client line given as bytes (without its newline).
    mutating func client(_ line: [UInt8]) -> RelayActions {
        line.withUnsafeBytes { clientLine($0) }
    }

    /// Decides a server line given as text (without its newline).
    mutating func server(_ line: String) -> RelayActions { server(bytes(line)) }

    /// Decides a server line given as bytes (without its newline), its sampling requests
    /// admitted first as the relay admits them (by an ``EffectingGate``'s effects).
    mutating func server(_ line: [UInt8]) -> RelayActions {
        line.withUnsafeBytes { line in
            let read = ServerLine.read(line, maxDepth: maxDepth)
            return decide(read, in: line, admitted: gate.admitting(read, in: line, maxDepth: maxDepth))
        }
    }
}

extension JSONValue {
    /// The element at `index` of an array, or nil.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The number's source text, if this is a number.
    var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}

/// Splits a buffer of newline-terminated lines (each Tollgate reply ends in one) into lines without newlines.
func splitLines(_ buffer: [UInt8]) -> [[UInt8]] {
    buffer.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
}

extension Gate {
    /// The verdicts on a server line's sampling requests, as the relay takes them before the
    /// line is decided: by the effects of an ``EffectingGate`` (none for another gate).
    mutating func admitting(_ read: ServerLine, in line: UnsafeRawBufferPointer, maxDepth: Int) -> SamplingAdmissions {
        guard var effecting = self as? EffectingGate, effecting.capsSampling else { return SamplingAdmissions() }
        let admitted = SamplingAdmissions(of: read, in: line, maxDepth: maxDepth) { effecting.admitSampling(maxTokens: $0) }
        self = effecting as! Self
        return admitted
    }
}

extension RelayActions {
    /// What goes to the server as Tollgate's own bytes (a forwarded original line is not
    /// included), as the relay writes it.
    var toServer: [UInt8] {
        var bytes: [UInt8] = []
        switch forward {
        case .bytes(let line)?: bytes = line
        case .call(let call)?:
            call.writeRequest(to: &bytes)
            bytes.append(0x0A)
        case .batch(let elements)?: RelayActions.write(batch: elements, to: &bytes)
        case .original?, nil: break
        }
        return bytes
    }

    /// What goes back to the client.
    var toClient: [UInt8] { reply ?? [] }
}
