/// Where the budget store listens (`budgets.store`): `redis://HOST[:PORT][/DB]` over TCP or
/// `redis+unix:///PATH[?db=N]` over a Unix socket. Credentials never go in the URL (they are
/// `budgets.storeUser` and `budgets.storePassword`); TLS (`rediss://`) is not spoken.
public struct StoreEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the server.
    public enum Address: Sendable, Hashable {
        /// A host name or address (IPv6 without brackets) and a port.
        case tcp(host: String, port: Int)
        /// A Unix socket's path.
        case unix(path: String)
    }

    /// How to reach the server.
    public var address: Address
    /// The database selected after connecting (`SELECT`), 0 by default.
    public var database: Int

    /// The port when the URL names none.
    public static let defaultPort = 6379
    /// The longest Unix socket path (`sun_path` holds 108 bytes with its NUL).
    public static let maxSocketPathBytes = 107

    /// Creates an endpoint.
    public init(address: Address, database: Int = 0) {
        self.address = address
        self.database = database
    }

    /// Reads a `budgets.store` URL; the error says what is wrong and what is expected.
    public init(parsing text: String) throws(BudgetSpecError) {
        let expected = "expected \"redis://HOST:PORT/DB\" or \"redis+unix:///PATH?db=N\""
        let bytes = Array(text.utf8)
        func starts(_ prefix: String) -> Bool { bytes.starts(with: prefix.utf8) }
        if starts("rediss://") || starts("valkeys://") {
            throw BudgetSpecError("TLS (rediss://) is not spoken by Tollgate: run a local TLS tunnel (stunnel, spiped, ssh -L) to the store and name the tunnel's local end here with redis:// or redis+unix://")
        }
        if starts("redis+unix://") || starts("unix://") {
            let rest = String(decoding: bytes.dropFirst(starts("unix://") ? 7 : 13), as: UTF8.self)
            try self.init(unix: rest, expected: expected)
        } else if starts("redis://") || starts("valkey://") {
            let rest = String(decoding: bytes.dropFirst(starts("redis://") ? 8 : 9), as: UTF8.self)
            try self.init(tcp: rest, expected: expected)
        } else {
            throw BudgetSpecError("\(expected), found \"\(text)\"")
        }
    }

    private init(unix rest: String, expected: String) throws(BudgetSpecError) {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        guard path.hasPrefix("/"), path.utf8.count > 1 else {  // not a protocol name
            throw BudgetSpecError("\(expected): a Unix socket needs an absolute path (three slashes: redis+unix:///run/redis.sock)")
        }
        guard path.utf8.count <= Self.maxSocketPathBytes else {
            throw BudgetSpecError("the socket path is longer than \(Self.maxSocketPathBytes) bytes, which a Unix socket address cannot hold")
        }
        var database = 0
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard keyValue.count == 2, keyValue[0].utf8.elementsEqual("db".utf8) else {
                    throw BudgetSpecError("\(expected): the only query parameter is db=N, found \"\(pair)\"")
                }
                database = try Self.database(String(keyValue[1]), expected: expected)
            }
        }
        self.init(address: .unix(path: path), database: database)
    }

    private init(tcp rest: String, expected: String) throws(BudgetSpecError) {
        let bytes = Array(rest.utf8)
        if bytes.contains(UInt8(ascii: "@")) {
            throw BudgetSpecError("credentials do not go in budgets.store: put the user in budgets.storeUser and the password in budgets.storePassword (as a variable, such as \"${REDIS_PASSWORD}\")")
        }
        if bytes.contains(UInt8(ascii: "?")) || bytes.contains(UInt8(ascii: "#")) {
            throw BudgetSpecError("\(expected): a TCP store URL takes no query or fragment")
        }
        let slash = bytes.firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        let authority = bytes[..<slash]
        var database = 0
        if slash < bytes.endIndex, slash + 1 < bytes.endIndex {
            database = try Self.database(String(decoding: bytes[(slash + 1)...], as: UTF8.self), expected: expected)
        }
        var host: ArraySlice<UInt8>
        var portText: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { throw BudgetSpecError("\(expected): an IPv6 address in [ ] is not closed") }
            host = authority[(authority.startIndex + 1)..<close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw BudgetSpecError("\(expected): expected :PORT after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            portText = authority[(colon + 1)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw BudgetSpecError("\(expected): the URL names no host") }
        var port = Self.defaultPort
        if let portText {
            guard let value = RESPParser.integer(portText), value >= 1, value <= 65_535 else {
                throw BudgetSpecError("\(expected): the port must be a number from 1 to 65535")
            }
            port = Int(value)
        }
        self.init(address: .tcp(host: String(decoding: host, as: UTF8.self), port: port), database: database)
    }

    private static func database(_ text: String, expected: String) throws(BudgetSpecError) -> Int {
        guard let value = RESPParser.integer(Array(text.utf8)[...]),
              value >= 0, value <= 1_000_000 else {
            throw BudgetSpecError("\(expected): the database must be a whole number (0 by default), found \"\(text)\"")
        }
        return Int(value)
    }

    /// The URL, as it would be written (no credentials: they are never part of it).
    public var description: String {
        switch address {
        case .tcp(let host, let port):
            let shown = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
            return "redis://\(shown):\(port)/\(database)"
        case .unix(let path):
            return "redis+unix://\(path)?db=\(database)"
        }
    }
}
