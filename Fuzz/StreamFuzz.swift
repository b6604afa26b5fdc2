// The stream-level libFuzzer target (TOLLGATE_FUZZ_TARGET=stream; ScannerFuzz.swift is the
// message-level one): line framing, as the gate frames what it reads and forwards.
//
// Each input is used as two streams: its bytes as they are, and the choices of the framing tests'
// generator (FramingStream, Tests/EndToEndTests/Support/FramingStream.swift), which lays out valid
// messages with raw carriage returns between tokens, line separators inside strings, batches and
// messages that hide a message between two CRs. Each stream is framed by LineFramer in reads of
// varying size, with the default line limit and a small one, and for every line it hands out:
// - the line is the line as sent with each raw CR a tab and nothing else changed, and the scanner
//   reads both alike (the same value, or refused for the same reason at the same byte);
// - it holds no CR (nor LF), so Python's universal newlines, Node's readline and a \n splitter
//   all extract it whole; an oversized line's prefix holds no CR either;
// - unless the scanner refuses it (then the gate forwards nothing of it), cutting it at every
//   character Python's str.splitlines ends lines at (\n \r \x0b \x0c \x1c \x1d \x1e U+0085 U+2028
//   U+2029; the paranoid case) yields no piece that is a JSON-RPC message: an object with a
//   "jsonrpc" member, or an array holding one. (Those characters stand raw only inside strings,
//   so a piece's strings are what stood between the line's strings: a piece can be JSON, as
//   `["a<U+2028>[1,","]<U+2028>b"]` yields `[1,","]`, but it never holds a key like "jsonrpc".)

/// Checks the framing of `input` as a raw stream and as a generated one.
func fuzzStream(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    let chunk = bytes.first.map { 1 + Int($0) % 97 } ?? 1
    checkFraming(bytes, chunk: chunk)
    var choices = StreamChoices(bytes: bytes)
    let direction: FramingStream.Direction = choices.draw(2) == 0 ? .toServer : .toClient
    let stream = FramingStream(direction, lines: 1 + choices.draw(12), choices: &choices)
    checkFraming(stream.bytes, chunk: chunk)
}

/// Frames `stream` in reads of `chunk` bytes (and whole), with the default limit and a small one.
private func checkFraming(_ stream: [UInt8], chunk: Int) {
    let sent = stream.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init)
    for (limit, size) in [(LineFramer.defaultMaxLineBytes, chunk), (LineFramer.defaultMaxLineBytes, LineFramer.readChunk), (300, chunk)] {
        var framer = LineFramer(maxLineBytes: limit)
        var index = 0
        var offset = 0
        repeat {
            let end = min(offset + size, stream.count)
            framer.append(stream[offset..<end])
            offset = end
            while let line = framer.next() {
                guard index < sent.count else { fatalError("the framer handed out more lines than were sent") }
                switch line {
                case .complete(let content, _):
                    framer.withBytes { checkLine(Array($0[content]), sent: sent[index]) }
                case .oversized(let prefix, let length):
                    guard length == sent[index].count, length > limit, prefix == withTabs(sent[index].prefix(prefix.count)) else {
                        fatalError("an oversized line's prefix is not the line's start with its CRs as tabs")
                    }
                }
                index += 1
            }
        } while offset < stream.count
        guard index == sent.count else { fatalError("the framer handed out \(index) lines of \(sent.count)") }
    }
}

/// `bytes` with each raw CR a tab.
private func withTabs(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    bytes.map { $0 == 0x0D ? LineFramer.carriageReturnReplacement : $0 }
}

private func checkLine(_ line: [UInt8], sent: [UInt8]) {
    guard line == withTabs(sent) else { fatalError("the framed line is not the line sent with its CRs as tabs") }
    guard !line.contains(0x0D) && !line.contains(0x0A) else { fatalError("a framed line holds a line end") }
    let framed = Result { () throws(JSONScanError) in try JSONValue.parse(line) }
    let original = Result { () throws(JSONScanError) in try JSONValue.parse(sent) }
    switch (framed, original) {
    case (.success(let value), .success(let before)):
        guard value.serialized == before.serialized else { fatalError("the framed line reads as another value") }
    case (.failure(let error), .failure(var before)):
        if before.reason == .unexpectedByte(0x0D) { before.reason = .unexpectedByte(LineFramer.carriageReturnReplacement) }
        guard error == before else { fatalError("the framed line is refused otherwise: \(error), not \(before)") }
        return
    default:
        fatalError("the scanner accepts one of the line as sent and the framed line, not the other")
    }
    let pieces = cutAtLineEnds(line)
    guard pieces.count > 1 else { return }
    for piece in pieces {
        if let value = try? JSONValue.parse(piece), isMessage(value) {
            fatalError("cutting a forwarded line at line ends yields a message: \(String(decoding: piece, as: UTF8.self))")
        }
    }
}

/// The pieces of `line` between the characters Python's `str.splitlines` ends lines at.
private func cutAtLineEnds(_ line: [UInt8]) -> [ArraySlice<UInt8>] {
    var pieces: [ArraySlice<UInt8>] = []
    var start = 0
    var index = 0
    while index < line.count {
        let width: Int
        switch line[index] {
        case 0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E: width = 1
        case 0xC2 where index + 1 < line.count && line[index + 1] == 0x85: width = 2
        case 0xE2 where index + 2 < line.count && line[index + 1] == 0x80 && (line[index + 2] == 0xA8 || line[index + 2] == 0xA9): width = 3
        default:
            index += 1
            continue
        }
        pieces.append(line[start..<index])
        index += width
        start = index
    }
    pieces.append(line[start...])
    return pieces
}

/// Whether `value` is a JSON-RPC message to a lenient reader: an object with a `jsonrpc` member,
/// or a batch holding one.
private func isMessage(_ value: JSONValue) -> Bool {
    switch value {
    case .object(let object): object.keys.contains { $0.utf8.elementsEqual("jsonrpc".utf8) }
    case .array(let elements): elements.contains { $0.objectValue?.keys.contains { $0.utf8.elementsEqual("jsonrpc".utf8) } == true }
    default: false
    }
}
