/// One entry of `allowHosts`: `host:port`, where the host matches as `hostIn` patterns do
/// (`api.github.com` exactly, `*.corp.example` any subdomain, an IP address, `[::1]`).
public struct HostPortPattern: Sendable, Equatable {
    /// The entry as written.
    public var written: String
    /// The host part, compiled.
    var host: HostIn.Pattern
    /// The port.
    public var port: UInt16

    /// The pattern `text` stands for, or nil when it is not `host:port`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        let portText = bytes[(colon + 1)...]
        guard (1...5).contains(portText.count), portText.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let port = Int(String(decoding: portText, as: UTF8.self)), (1...65535).contains(port)
        else { return nil }
        let hostText = String(decoding: bytes[..<colon], as: UTF8.self)
        // An IPv6 address must be bracketed here, or its last group would read as the port.
        if URLHost.isIPv6(Array(hostText.utf8).map(URLHost.lowercased)[...]) { return nil }
        guard let host = HostIn.pattern(hostText) else { return nil }
        written = text
        self.host = host
        self.port = UInt16(port)
    }

    /// Whether a request for `host` (canonical) at `port` matches.
    func matches(_ candidate: URLHost, port: UInt16) -> Bool {
        port == self.port && host.matches(candidate)
    }

    /// Whether the entry names one host (a name or an address), not a wildcard: only such an
    /// entry may reach loopback, link-local and metadata addresses.
    var isExact: Bool { !host.isWildcard }
}
