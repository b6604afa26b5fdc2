import Testing
@testable import TollgateKit

@Suite("Sandbox proxy: allowHosts decisions and reserved addresses")
struct ProxyPolicyTests {
    private func host(_ text: String) throws -> URLHost {
        try URLHost.parseHostPort(Array(text.utf8)[...]).get()
    }

    private func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(Array(text.utf8)))
    }

    private let policy = ProxyPolicy(patterns: ["api.github.com:443", "*.corp.example:443", "127.0.0.1:8080", "[::1]:9000"].compactMap(HostPortPattern.init))

    @Test("an entry matches its host (hostIn's rules: exact names, subdomains for *.) at its port only")
    func entries() throws {
        #expect(try policy.entry(for: host("api.github.com"), port: 443).get().written == "api.github.com:443")
        #expect(try policy.entry(for: host("API.GitHub.com."), port: 443).get().written == "api.github.com:443")
        #expect(try policy.entry(for: host("a.b.corp.example"), port: 443).get().written == "*.corp.example:443")
        #expect(try policy.entry(for: host("127.0.0.1"), port: 8080).get().written == "127.0.0.1:8080")
        #expect(try policy.entry(for: host("[::1]"), port: 9000).get().written == "[::1]:9000")
        for (name, port) in [("api.github.com", 80), ("corp.example", 443), ("github.com", 443), ("127.0.0.1", 8081), ("evilapi.github.com", 443)] {
            guard case .failure(let refusal) = policy.entry(for: try host(name), port: UInt16(port)) else {
                Issue.record("\(name):\(port) must not match")
                continue
            }
            #expect(refusal.status == 403 && refusal.reason == "\(name):\(port) is not in allowHosts", "\(refusal)")
        }
        guard case .failure(let odd) = policy.entry(for: try host("127.1"), port: 8080) else {
            Issue.record("127.1 must not match")
            return
        }
        #expect(odd.reason.contains("not an IP address in standard form"), "\(odd)")
    }

    @Test("through a wildcard, loopback, link-local, metadata, unspecified, multicast and this machine's addresses are refused; others kept in order")
    func reservedThroughWildcard() throws {
        let wildcard = try policy.entry(for: host("x.corp.example"), port: 443).get()
        let own = try address("10.1.2.3")
        for text in ["127.0.0.1", "127.5.5.5", "169.254.169.254", "169.254.1.1", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255",
                     "::1", "::", "fe80::1", "ff02::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1",
                     "10.1.2.3"] {
            guard case .failure(let refusal) = policy.usable([try address(text)], for: wildcard, localAddresses: [own]) else {
                Issue.record("\(text) must be refused through a wildcard")
                continue
            }
            #expect(refusal.status == 403 && refusal.reason.contains("refused unless allowHosts names the host exactly"), "\(text): \(refusal)")
        }
        let mixed = [try address("127.0.0.1"), try address("93.184.215.14"), try address("2606:2800::1")]
        #expect(try policy.usable(mixed, for: wildcard, localAddresses: []).get() == Array(mixed.dropFirst()))
        guard case .failure(let unresolved) = policy.usable([], for: wildcard, localAddresses: []) else {
            Issue.record("nothing resolved")
            return
        }
        #expect(unresolved.status == 502)
    }

    @Test("an entry that names the host exactly may reach a reserved address (the user listed it)")
    func exactEntries() throws {
        let loopback = try policy.entry(for: host("127.0.0.1"), port: 8080).get()
        #expect(try policy.usable([try address("127.0.0.1")], for: loopback, localAddresses: []).get() == [try address("127.0.0.1")])
        let name = try policy.entry(for: host("api.github.com"), port: 443).get()
        #expect(try policy.usable([try address("127.0.0.1")], for: name, localAddresses: []).get().count == 1)
    }

    @Test("allowHosts entries: host:port with hostIn's host patterns; IPv6 in brackets; anything else refused")
    func patterns() {
        for valid in ["api.github.com:443", "*.corp.example:443", "127.0.0.1:8080", "[::1]:9000", "[fd00::1]:1", "a:65535"] {
            #expect(HostPortPattern(valid)?.written == valid, "\(valid)")
        }
        for invalid in ["api.github.com", "api.github.com:", ":443", "a:0", "a:65536", "a:44x", "::1:80", "*.1.2.3:80", "a b:80",
                        "https://a:443", "a/b:80", "*:443", "[::1:80"] {
            #expect(HostPortPattern(invalid) == nil, "\(invalid)")
        }
        #expect(HostPortPattern("*.corp.example:443")?.isExact == false && HostPortPattern("corp.example:443")?.isExact == true)
    }

    @Test("IP addresses are read strictly (inet_pton) and printed canonically, IPv6 with brackets and a port")
    func addresses() throws {
        #expect(IPAddress(Array("127.1".utf8)) == nil && IPAddress(Array("0x7f.0.0.1".utf8)) == nil && IPAddress(Array("1.2.3.4.5".utf8)) == nil)
        #expect(try address("0:0:0:0:0:0:0:1").description == "::1" && (try address("::1")).withPort(443) == "[::1]:443")
        #expect(try address("::ffff:7f00:1").embeddedIPv4 == (try address("127.0.0.1")))
        #expect(try address("93.184.215.14").reservedKind == nil && (try address("2606:2800::1")).reservedKind == nil)
    }
}
