import Testing
@testable import TollgateKit

@Suite("Telemetry: HTTP responses")
struct HTTPResponseReaderTests {
    func read(_ text: String, closed: Bool = false) -> HTTPResponseReader.Reading {
        HTTPResponseReader.read(Array(text.utf8), closed: closed)
    }

    @Test("Content-Length: complete only with the whole body; keep-alive by default in HTTP/1.1")
    func contentLength() {
        #expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}") == .complete(status: 200, keepAlive: true))
        #expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{") == .incomplete)
        #expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{", closed: true) != .incomplete)
        #expect(read("HTTP/1.1 500 Internal\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n") == .complete(status: 500, keepAlive: false))
        #expect(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == .complete(status: 200, keepAlive: false))
        #expect(read("HTTP/1.1 200 OK\r\nContent-Le") == .incomplete)
    }

    @Test("chunked bodies, interim 100 responses, bodies until close")
    func chunked() {
        #expect(read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\n{}\r\n0\r\n\r\n") == .complete(status: 200, keepAlive: true))
        #expect(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n") == .incomplete)
        #expect(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n") == .complete(status: 200, keepAlive: true))
        #expect(read("HTTP/1.1 200 OK\r\n\r\nbody") == .incomplete)
        #expect(read("HTTP/1.1 200 OK\r\n\r\nbody", closed: true) == .complete(status: 200, keepAlive: false))
    }

    @Test("not HTTP, bad lengths, oversized heads and bodies are malformed")
    func malformed() {
        for text in ["SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            guard case .malformed = read(text) else {
                Issue.record("accepted \(text.debugDescription)")
                continue
            }
        }
        guard case .malformed = read(String(repeating: "x", count: HTTPResponseReader.maxHeadBytes + 1)) else {
            Issue.record("an endless head is not refused")
            return
        }
    }

    @Test("endpoints: plain http only, ports checked, the path kept")
    func endpoints() throws {
        #expect(try OTLPEndpoint(url: "http://collector").path == "/")
        #expect(try OTLPEndpoint(url: "http://collector:4318/v1/traces?x=1#f").path == "/v1/traces?x=1")
        #expect(try OTLPEndpoint(base: "http://collector:4318/", signalPath: "v1/logs").path == "/v1/logs")
        for url in ["https://collector", "ftp://x", "http://:80", "http://host:0", "http://host:99999", "http://user@host", "http://[::1", "http://host/a b"] {
            #expect(throws: TelemetryConfigurationError.self, "\(url)") { try OTLPEndpoint(url: url) }
        }
    }
}
