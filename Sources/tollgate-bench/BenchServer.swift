import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// The minimal MCP server every configuration talks to: answers each request at once
/// (initialize, tools/list with one tool `echo`, tools/call), ignores notifications. Answers
/// read together go out in one write, or each in its own with `perMessage` (as SDK servers do).
/// A call longer than ``LargeMessage/echoThreshold`` is answered with a text of its length.
enum BenchServer {
    static func run(perMessage: Bool = false) -> Int32 {
        var framer = LineFramer()
        var out: [UInt8] = []
        while framer.fill({ buffer in read(0, buffer.baseAddress!, buffer.count) }) > 0 {
            while let line = framer.next() {
                guard case .complete(let content, _) = line else { continue }
                framer.withBytes { bytes in
                    let text = UnsafeRawBufferPointer(rebasing: bytes[content])
                    guard case .success(.single(let envelope)) = MessageEnvelope.scan(text),
                        envelope.kind == .request, let idRange = envelope.id
                    else { return }
                    let id = Array(text[idRange])
                    if text.count > LargeMessage.echoThreshold {
                        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
                        out.append(contentsOf: id)
                        out.append(contentsOf: #","result":{"content":[{"type":"text","text":""#.utf8)
                        out.append(contentsOf: repeatElement(UInt8(ascii: "y"), count: text.count))
                        out.append(contentsOf: #""}],"isError":false}}"#.utf8 + [0x0A])
                        return
                    }
                    let result: String
                    switch envelope.method {
                    case "initialize":
                        result = #"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"bench","version":"1"}}"#
                    case "tools/list":
                        result = #"{"tools":[{"name":"echo","description":"Echo","inputSchema":{"type":"object","properties":{"text":{"type":"string"}}}}]}"#
                    default:
                        result = #"{"content":[{"type":"text","text":"ok"}],"isError":false}"#
                    }
                    out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
                    out.append(contentsOf: id)
                    out.append(contentsOf: #","result":"#.utf8)
                    out.append(contentsOf: result.utf8)
                    out.append(contentsOf: "}\n".utf8)
                }
                if perMessage && !out.isEmpty {
                    _ = out.withUnsafeBytes { writeFully(1, $0) }
                    out.removeAll(keepingCapacity: true)
                }
            }
            if !out.isEmpty {
                _ = out.withUnsafeBytes { writeFully(1, $0) }
                out.removeAll(keepingCapacity: true)
            }
        }
        return 0
    }
}

/// Writes every byte or returns false.
func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n <= 0 { if n < 0 && errno == EINTR { continue }; return false }
        offset += n
    }
    return true
}
