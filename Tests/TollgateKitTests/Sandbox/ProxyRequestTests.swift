import Testing
@testable import TollgateKit

@Suite("Sandbox proxy: request heads")
struct ProxyRequestTests {
    private func parse(_ text: String) -> Result<ProxyRequest, ProxyRequest.Refusal> {
        ProxyRequest.parse(Array(text.utf8)[...])
    }

    @Test("CONNECT host:port: a tunnel to that host and port, nothing forwarded")
    func connect() throws {
        let request = try parse("CONNECT api.github.com:443 HTTP/1.1\r\nHost: api.github.com:443\r\nProxy-Authorization: x\r\n\r\n").get()
        #expect(request.method == "CONNECT" && request.host.name == Array("api.github.com".utf8) && request.port == 443)
        #expect(request.forwardedHead == nil && request.target == "api.github.com:443")
        let v6 = try parse("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n").get()
        #expect(v6.target == "[::1]:8443" && v6.host.isAddress)
    }

    @Test("a plain HTTP request goes on in origin form, with the URL's host, without the proxy hop's headers, and Connection: close")
    func forward() throws {
        let head = "GET http://Example.ORG:8080/a/b?q=1#frag HTTP/1.1\r\nHost: evil.example\r\nProxy-Authorization: Basic x\r\n"
            + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nAccept: */*\r\nProxy-Connection: keep-alive\r\n\r\n"
        let request = try parse(head).get()
        #expect(request.method == "GET" && request.host.name == Array("example.org".utf8) && request.port == 8080)
        let forwarded = String(decoding: request.forwardedHead ?? [], as: UTF8.self)
        #expect(forwarded == "GET /a/b?q=1 HTTP/1.1\r\nHost: Example.ORG:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n", "\(forwarded)")
        let bare = try parse("POST http://example.org HTTP/1.0\r\n\r\n").get()
        #expect(bare.port == 80 && String(decoding: bare.forwardedHead ?? [], as: UTF8.self).hasPrefix("POST / HTTP/1.0\r\nHost: example.org\r\n"))
        let userInfo = try parse("GET http://user:pw@example.org/ HTTP/1.1\r\n\r\n").get()
        #expect(String(decoding: userInfo.forwardedHead ?? [], as: UTF8.self).contains("Host: example.org\r\n"))
    }

    @Test("refused: not HTTP/1.x, https or another scheme in absolute form, origin form, CONNECT without a port, a malformed header")
    func refusals() {
        for head in ["GET http://a/ HTTP/2.0\r\n\r\n", "GET https://a/ HTTP/1.1\r\n\r\n", "GET /path HTTP/1.1\r\n\r\n",
                     "CONNECT a HTTP/1.1\r\n\r\n", "CONNECT a:0 HTTP/1.1\r\n\r\n", "CONNECT a:99999 HTTP/1.1\r\n\r\n",
                     "GET http://a/ HTTP/1.1\r\nno colon here\r\n\r\n", "G ET http://a/ HTTP/1.1\r\n\r\n", "\r\n\r\n",
                     "GET http://a b/ HTTP/1.1\r\n\r\n", "GET http://a..b/ HTTP/1.1\r\n\r\n"] {
            guard case .failure(let refusal) = parse(head) else {
                Issue.record("\(head.debugDescription) must be refused")
                continue
            }
            #expect(refusal.status == 400, "\(head.debugDescription): \(refusal)")
        }
    }

    @Test("the head ends at the first empty line; the refusal response names Tollgate's reason")
    func framing() {
        #expect(ProxyRequest.headEnd(in: Array("GET http://a/ HTTP/1.1\r\nA: b\r\n".utf8)) == nil)
        let bytes = Array("GET http://a/ HTTP/1.1\r\n\r\nbody".utf8)
        #expect(ProxyRequest.headEnd(in: bytes) == bytes.count - 4)
        let response = String(decoding: ProxyRequest.refusalResponse(status: 403, reason: "a:1 is not in allowHosts"), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 403 Forbidden\r\n") && response.hasSuffix("\r\n\r\nTollgate sandbox: a:1 is not in allowHosts\n"))
        #expect(response.contains("Content-Length: \("Tollgate sandbox: a:1 is not in allowHosts\n".utf8.count)\r\n"))
    }
}
