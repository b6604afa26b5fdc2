/// Which connections a sandboxed server's proxy makes: to a `host:port` an `allowHosts` entry
/// matches, at an address the name resolved to once (so a second resolution cannot redirect it),
/// never to loopback, link-local, cloud metadata, unspecified, multicast or this machine's own
/// addresses unless the entry names that host exactly (a name or an IP address, not a wildcard).
/// Pure: the resolution and the machine's addresses are given.
struct ProxyPolicy: Sendable {
    /// The `allowHosts` entries.
    let patterns: [HostPortPattern]

    /// The first entry that matches a request for `host` at `port`, or why none does.
    func entry(for host: URLHost, port: UInt16) -> Result<HostPortPattern, ProxyRequest.Refusal> {
        if let pattern = patterns.first(where: { $0.matches(host, port: port) }) { return .success(pattern) }
        if host.isAddress, IPAddress(host.name) == nil {
            return .failure(.init(status: 403, reason: "\(String(decoding: host.name, as: UTF8.self)) is not an IP address in standard form"))
        }
        return .failure(.init(status: 403, reason: "\(ProxyRequest.targetText(host, port)) is not in allowHosts"))
    }

    /// The addresses of `resolved` the proxy may connect to for `entry`, in order, or why none.
    func usable(_ resolved: [IPAddress], for entry: HostPortPattern, localAddresses: [IPAddress]) -> Result<[IPAddress], ProxyRequest.Refusal> {
        guard !entry.isExact else { return resolved.isEmpty ? .failure(.init(status: 502, reason: "the name did not resolve")) : .success(resolved) }
        var refused: [String] = []
        var usable: [IPAddress] = []
        for address in resolved {
            if let kind = address.reservedKind ?? (localAddresses.contains(address) ? "this machine's own" : nil) {
                refused.append("\(address) (\(kind))")
            } else {
                usable.append(address)
            }
        }
        if !usable.isEmpty { return .success(usable) }
        if refused.isEmpty { return .failure(.init(status: 502, reason: "the name did not resolve")) }
        return .failure(.init(status: 403, reason: "it resolves to \(refused.joined(separator: ", ")), refused unless allowHosts names the host exactly"))
    }
}

extension ProxyRequest {
    /// `host:port`, IPv6 in brackets.
    static func targetText(_ host: URLHost, _ port: UInt16) -> String {
        let name = String(decoding: host.name, as: UTF8.self)
        return (host.name.contains(UInt8(ascii: ":")) ? "[\(name)]" : name) + ":\(port)"
    }
}
