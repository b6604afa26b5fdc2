/// The host of an `http`/`https` URL, read strictly (see ``HostIn`` for the rules).
struct URLHost: Equatable {
    /// Why a string is not a URL ``HostIn`` accepts.
    enum Problem: Error, Equatable {
        case notHTTP
        case malformed(String)

        /// What the model should be told.
        var message: String {
            switch self {
            case .notHTTP: "must be an http or https URL"
            case .malformed(let detail): "must be a well-formed http or https URL (\(detail))"
            }
        }
    }

    /// The host in canonical form: lowercase, without trailing dot, IPv6 without brackets.
    var name: [UInt8]
    /// Whether the host is an IP address (wildcards never match those).
    var isAddress: Bool

    /// Reads the host of `url`.
    static func parse(_ url: String) -> Result<URLHost, Problem> {
        let bytes = Array(url.utf8)
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) {
            return .failure(.malformed("no spaces, control characters or backslashes"))
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.notHTTP) }
        let scheme = bytes[..<colon].map(lowercased)
        guard scheme == Array("http".utf8) || scheme == Array("https".utf8) else { return .failure(.notHTTP) }
        let rest = bytes[(colon + 1)...]
        guard rest.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) else {
            return .failure(.malformed("\"//\" and a host must follow the scheme"))
        }
        let authorityStart = rest.startIndex + 2
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        var hostPort = bytes[authorityStart..<authorityEnd]
        let ats = hostPort.indices.filter { hostPort[$0] == UInt8(ascii: "@") }
        if ats.count > 1 { return .failure(.malformed("at most one \"@\" in the authority")) }
        if let at = ats.first { hostPort = hostPort[(at + 1)...] }
        return parseHostPort(hostPort)
    }

    /// Splits `host[:port]` or `[v6][:port]` and checks both parts.
    static func parseHostPort(_ hostPort: ArraySlice<UInt8>) -> Result<URLHost, Problem> {
        var host: ArraySlice<UInt8>
        var port: ArraySlice<UInt8>?
        if hostPort.first == UInt8(ascii: "[") {
            guard let close = hostPort.firstIndex(of: UInt8(ascii: "]")) else {
                return .failure(.malformed("an IPv6 address needs a closing \"]\""))
            }
            host = hostPort[(hostPort.startIndex + 1)..<close]
            let after = hostPort[(close + 1)...]
            if let first = after.first {
                guard first == UInt8(ascii: ":") else { return .failure(.malformed("only a port may follow \"]\"")) }
                port = after.dropFirst()
            }
            let lowered = host.map(lowercased)
            guard isIPv6(lowered[...]) else { return .failure(.malformed("invalid IPv6 address")) }
            if let port, !isPort(port) { return .failure(.malformed("the port must be a number up to 65535")) }
            return .success(URLHost(name: lowered, isAddress: true))
        }
        if let colon = hostPort.firstIndex(of: UInt8(ascii: ":")) {
            host = hostPort[..<colon]
            port = hostPort[(colon + 1)...]
        } else {
            host = hostPort
        }
        if let port, !isPort(port) { return .failure(.malformed("the port must be a number up to 65535")) }
        var name = host.map(lowercased)
        if name.last == UInt8(ascii: ".") { name.removeLast() }
        if name.isEmpty { return .failure(.malformed("the host is empty")) }
        guard isHostName(name[...]) else {
            return .failure(.malformed("a host name may use only letters, digits, \"-\", \"_\" and non-empty labels"))
        }
        return .success(URLHost(name: name, isAddress: looksLikeIPv4(name[...])))
    }

    /// ASCII lowercase of one byte.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Whether `name` is dot-separated non-empty labels of `a-z 0-9 - _` (already lowercase).
    static func isHostName(_ name: ArraySlice<UInt8>) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        var labelLength = 0
        for byte in name {
            switch byte {
            case UInt8(ascii: "."):
                if labelLength == 0 { return false }
                labelLength = 0
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                labelLength += 1
            default:
                return false
            }
        }
        return labelLength > 0
    }

    /// Whether a host name would be read as an IPv4 address by URL parsers (its last label is
    /// numeric, decimal or `0x` hexadecimal).
    static func looksLikeIPv4(_ name: ArraySlice<UInt8>) -> Bool {
        let lastLabel = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).last ?? name[...]
        if lastLabel.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return true }
        return lastLabel.starts(with: Array("0x".utf8))
    }

    /// Whether `text` (lowercase) is an IPv6 address: hex groups, colons, an optional dotted IPv4 tail.
    static func isIPv6(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.count >= 2, text.count <= 45, text.filter({ $0 == UInt8(ascii: ":") }).count >= 2 else { return false }
        return text.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: ":"), UInt8(ascii: "."): true
            default: false
            }
        }
    }

    /// Whether `port` is empty or a decimal number up to 65535.
    private static func isPort(_ port: ArraySlice<UInt8>) -> Bool {
        guard port.count <= 5, port.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
        return port.isEmpty || Int(String(decoding: port, as: UTF8.self))! <= 65535
    }
}
