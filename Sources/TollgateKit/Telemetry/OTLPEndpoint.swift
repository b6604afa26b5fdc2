/// Where one signal is sent: an `http://host[:port][/path]` URL (OTLP/HTTP). HTTPS is not
/// spoken: point Tollgate at a local Collector, which forwards with TLS.
public struct OTLPEndpoint: Sendable, Equatable {
    /// The host: a name, an IPv4 address, or an IPv6 address (without brackets).
    public var host: String
    public var port: UInt16
    /// The request path (starts with `/`).
    public var path: String

    /// The default port of OTLP/HTTP.
    public static let defaultPort: UInt16 = 4318

    /// Reads a URL; throws a sentence saying what is wrong.
    public init(url: String) throws(TelemetryConfigurationError) {
        let bytes = Array(url.utf8)
        if bytes.starts(with: Array("https://".utf8)) {
            throw TelemetryConfigurationError("\(url): Tollgate sends OTLP over plain HTTP only; point it at a local OpenTelemetry Collector (http://127.0.0.1:4318), which forwards with TLS")
        }
        guard bytes.starts(with: Array("http://".utf8)) else {
            throw TelemetryConfigurationError("\(url): expected an http:// URL, like http://127.0.0.1:4318")
        }
        let rest = bytes.dropFirst(7)
        let authorityEnd = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // The request target: the path and query, without a fragment.
        var pathBytes = Array(rest[authorityEnd...].prefix { $0 != UInt8(ascii: "#") })
        if pathBytes.first == UInt8(ascii: "?") { pathBytes.insert(UInt8(ascii: "/"), at: 0) }
        guard !authority.contains(UInt8(ascii: "@")) else { throw TelemetryConfigurationError("\(url): user information in the URL is not supported; use headers") }
        var hostBytes: ArraySlice<UInt8>
        var portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { throw TelemetryConfigurationError("\(url): an IPv6 address lacks its ']'") }
            hostBytes = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw TelemetryConfigurationError("\(url): expected ':PORT' after the IPv6 address") }
                portBytes = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            hostBytes = authority[..<colon]
            portBytes = authority[authority.index(after: colon)...]
        } else {
            hostBytes = authority
        }
        guard !hostBytes.isEmpty, hostBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw TelemetryConfigurationError("\(url): the URL names no host") }
        host = String(decoding: hostBytes, as: UTF8.self)
        if let portBytes {
            guard !portBytes.isEmpty, portBytes.count <= 5, portBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(String(decoding: portBytes, as: UTF8.self)), (1...65_535).contains(value)
            else { throw TelemetryConfigurationError("\(url): the port must be a number from 1 to 65535") }
            port = UInt16(value)
        } else {
            port = 80
        }
        guard pathBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw TelemetryConfigurationError("\(url): the path holds spaces or control characters") }
        path = pathBytes.isEmpty ? "/" : String(decoding: pathBytes, as: UTF8.self)
    }

    /// The endpoint of one signal under a base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`): `v1/traces`
    /// and the like appended to its path.
    public init(base url: String, signalPath: String) throws(TelemetryConfigurationError) {
        try self.init(url: url)
        path = (path.utf8.last == UInt8(ascii: "/") ? path : path + "/") + signalPath
    }

    /// `host:port` as the `Host` header writes it.
    var hostHeader: String {
        let name = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    /// The URL.
    public var url: String { "http://\(hostHeader)\(path)" }
}
