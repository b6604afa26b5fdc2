// The message-level libFuzzer target (the default; StreamFuzz.swift is the stream-level one):
// Tollgate's JSON scanner and message reading.
//
// Built by scripts/fuzz with `swiftc -sanitize=fuzzer,address` over every library source (one
// module with them). Besides "no crash, no hang, no memory error", it checks invariants:
// - whatever the envelope scan accepts, the tree parser accepts too, and vice versa;
// - a parsed tree re-serializes to bytes that parse back to the same tree (what was checked is
//   what is forwarded), and the re-serialization is a fixed point;
// - reading a line as a client or a server message never traps;
// - reading a tools/call without a manifest (name and era only) agrees with the full read;
// - the fast paths (plain envelope read, fast container walk) give exactly what the exact walker
//   gives, errors included (same reason, same byte), at the default nesting limit and a small one.

/// Checks the scanner and the message readers on `line`.
func fuzzScanner(_ line: UnsafeRawBufferPointer) {
    let scanned = MessageEnvelope.scan(line)
    for maxDepth in [JSONScanner.defaultMaxDepth, 3] {
        let fast = maxDepth == JSONScanner.defaultMaxDepth ? scanned : MessageEnvelope.scan(line, maxDepth: maxDepth)
        guard fast == MessageEnvelope.scan(line, maxDepth: maxDepth, usingFastPaths: false) else {
            fatalError("the fast paths disagree with the exact walker (maxDepth \(maxDepth))")
        }
        var fastScanner = JSONScanner(line, maxDepth: maxDepth)
        var exactScanner = JSONScanner(line, maxDepth: maxDepth)
        exactScanner.usesFastPath = false
        let fastError = Result { () throws(JSONScanError) in try fastScanner.validateDocument() }
        let exactError = Result { () throws(JSONScanError) in try exactScanner.validateDocument() }
        switch (fastError, exactError) {
        case (.success, .success): break
        case (.failure(let a), .failure(let b)) where a == b: break
        default: fatalError("the fast container walk disagrees with the exact walker (maxDepth \(maxDepth))")
        }
    }
    let tree = Result { () throws(JSONScanError) -> JSONValue in try JSONValue.parse(line) }
    switch (scanned, tree) {
    case (.success, .failure(let error)):
        fatalError("envelope scan accepted what the parser rejects: \(error)")
    case (.failure(let malformed), .success):
        if case .empty = malformed.error.reason { break }
        fatalError("parser accepted what the envelope scan rejects: \(malformed.error)")
    default:
        break
    }
    if case .success(let value) = tree {
        let bytes = value.serialized
        guard let again = try? JSONValue.parse(bytes) else { fatalError("re-serialization does not parse") }
        guard again == value else { fatalError("re-serialization changed the value") }
        guard again.serialized == bytes else { fatalError("re-serialization is not a fixed point") }
    }
    // A relay without a manifest reads tools/call headers only; it must agree with the full read.
    let inspected = ClientLine.read(line)
    let headerOnly = ClientLine.read(line, inspectingCalls: false)
    switch (inspected, headerOnly) {
    case (.single(.toolCall(let call)), .single(.uninspectedToolCall(let id, let header, _))):
        guard id == call.id, header.name == call.name, header.era == call.era else {
            fatalError("header read disagrees with the full read: \(header) vs \(call.name)")
        }
    case (.single(.toolCall), _), (_, .single(.uninspectedToolCall)):
        fatalError("one read found a tool call and the other did not")
    default:
        break
    }
    _ = ServerLine.read(line)
}
