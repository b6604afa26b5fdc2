/// The `hostIn` keyword: the value must be an `http` or `https` URL whose host matches one of the
/// listed patterns.
///
/// The host is read as RFC 3986 says: after `scheme://`, the authority runs to the first `/`, `?`
/// or `#`; user information (`user:pass@`) is dropped; a port (`:8080`) is dropped; an IPv6
/// literal is written in brackets (`[::1]`). The host is lowercased and one trailing dot removed.
/// To leave no room for parsers that read URLs differently, these are rejected: other schemes,
/// anything but `//` after the scheme, more than one `@`, backslashes, spaces and control
/// characters anywhere, an empty host, empty labels (`a..b`), percent signs or other characters
/// outside `a-z 0-9 - . _` in a host name, and ports that are not numbers up to 65535.
///
/// A pattern `api.example.com` matches that host exactly; `*.corp.example` matches any subdomain
/// at any depth (`a.corp.example`, `a.b.corp.example`) but not `corp.example` itself, and never
/// an IP address. IPv6 patterns may be written with or without brackets and are compared as
/// text (`::1` does not match `0::1`). Patterns are lowercased too; ports are not restricted.
struct HostIn: Sendable {
    /// One allowed host or wildcard.
    struct Pattern: Sendable, Equatable {
        /// The pattern as written.
        var written: String
        /// The host, or for a wildcard the suffix including its leading dot (`.corp.example`).
        var host: [UInt8]
        /// Whether the pattern is `*.suffix`.
        var isWildcard: Bool

        /// Whether `host` (canonical) matches.
        func matches(_ candidate: URLHost) -> Bool {
            guard isWildcard else { return candidate.name == host }
            return !candidate.isAddress && candidate.name.count > host.count && candidate.name.reversed().starts(with: host.reversed())
        }
    }

    /// The allowed hosts.
    let patterns: [Pattern]

    /// Compiles the keyword; the error's path is relative to the keyword.
    init(_ written: [String]) throws(SchemaCompileError) {
        guard !written.isEmpty else { throw SchemaCompileError(path: [], message: "must list at least one host") }
        var patterns: [Pattern] = []
        for (index, text) in written.enumerated() {
            guard let pattern = Self.pattern(text) else {
                throw SchemaCompileError(
                    path: [String(index)],
                    message: "\(text.debugDescription) is not a host pattern; write a host name (api.example.com), "
                        + "a wildcard for its subdomains (*.example.com) or an IP address, without scheme, port or path"
                )
            }
            patterns.append(pattern)
        }
        self.patterns = patterns
    }

    /// Nil if `url` is an http(s) URL on an allowed host, else what the model should be told.
    func check(_ url: String) -> String? {
        switch URLHost.parse(url) {
        case .failure(let problem):
            return problem.message
        case .success(let host):
            if patterns.contains(where: { $0.matches(host) }) { return nil }
            let shown = String(decoding: host.name, as: UTF8.self)
            return "must be a URL on an allowed host (\(patterns.map(\.written).joined(separator: ", "))), not \(shown)"
        }
    }

    /// A pattern in canonical form, or nil if `text` is not one.
    static func pattern(_ text: String) -> Pattern? {
        var bytes = Array(text.utf8).map(URLHost.lowercased)
        var isWildcard = false
        if bytes.starts(with: [UInt8(ascii: "*"), UInt8(ascii: ".")]) {
            isWildcard = true
            bytes.removeFirst()
        }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        if !isWildcard, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            bytes = Array(bytes.dropFirst().dropLast())
            return URLHost.isIPv6(bytes[...]) ? Pattern(written: text, host: bytes, isWildcard: false) : nil
        }
        if !isWildcard, URLHost.isIPv6(bytes[...]) { return Pattern(written: text, host: bytes, isWildcard: false) }
        let name = isWildcard ? Array(bytes.dropFirst()) : bytes
        guard URLHost.isHostName(name[...]) else { return nil }
        if isWildcard && URLHost.looksLikeIPv4(name[...]) { return nil }
        return Pattern(written: text, host: bytes, isWildcard: isWildcard)
    }
}
