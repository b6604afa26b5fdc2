// libFuzzer target for Tollgate's JSON scanner and message reading.
//
// Built by scripts/fuzz with `swiftc -sanitize=fuzzer,address` over the JSON, Protocol and
// message-reading sources. Besides "no crash, no hang, no memory error", it checks invariants:
// - whatever the envelope scan accepts, the tree parser accepts too, and vice versa;
// - a parsed tree re-serializes to bytes that parse back to the same tree (what was checked is
//   what is forwarded), and the re-serialization is a fixed point;
// - reading a line as a client or a server message never traps.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = UnsafeRawBufferPointer(start: data, count: size)
    let scanned = MessageEnvelope.scan(line)
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
    _ = ClientLine.read(line)
    _ = ServerLine.read(line)
    return 0
}
