#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, as its bytes (4 or 16), read strictly (`inet_pton`: dotted quads
/// only, no `127.1` or `0x7f.1`).
struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    var bytes: [UInt8]

    init?(_ text: [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: 16)
        let string = String(decoding: text, as: UTF8.self)
        if inet_pton(AF_INET, string, &buffer) == 1 {
            bytes = Array(buffer.prefix(4))
        } else if inet_pton(AF_INET6, string, &buffer) == 1 {
            bytes = buffer
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    var isIPv4: Bool { bytes.count == 4 }

    var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = bytes.withUnsafeBytes { inet_ntop(isIPv4 ? AF_INET : AF_INET6, $0.baseAddress, &buffer, 64) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address with `port`, as people write it (`[::1]:443`).
    func withPort(_ port: UInt16) -> String { isIPv4 ? "\(self):\(port)" : "[\(self)]:\(port)" }

    /// The IPv4 address an IPv6 address carries (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
    /// NAT64 `64:ff9b::a.b.c.d`), if any.
    var embeddedIPv4: IPAddress? {
        guard !isIPv4 else { return nil }
        let head = Array(bytes.prefix(12))
        let tail = Array(bytes.suffix(4))
        let mapped = head == [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
        let compatible = head == [UInt8](repeating: 0, count: 12) && tail != [0, 0, 0, 0] && tail != [0, 0, 0, 1]
        let nat64 = head == [0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8)
        return mapped || compatible || nat64 ? IPAddress(bytes: tail) : nil
    }

    /// The addresses of this machine's interfaces (a socket listening on any of them is reachable
    /// there, Tollgate's own included).
    static func local() -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let socketAddress = current.pointee.ifa_addr, let address = IPAddress(socketAddress: socketAddress) { addresses.append(address) }
            entry = current.pointee.ifa_next
        }
        return addresses
    }

    /// The address of an `AF_INET` or `AF_INET6` socket address.
    init?(socketAddress: UnsafePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let address = UnsafeRawPointer(socketAddress).assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr
            bytes = withUnsafeBytes(of: address) { Array($0) }
        case AF_INET6:
            let address = UnsafeRawPointer(socketAddress).assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_addr
            bytes = withUnsafeBytes(of: address) { Array($0) }
        default:
            return nil
        }
    }

    /// What kind of address a proxy refuses unless it is named exactly, or nil.
    var reservedKind: String? {
        if let embedded = embeddedIPv4 { return embedded.reservedKind }
        if isIPv4 {
            switch (bytes[0], bytes[1]) {
            case (0, _): return "unspecified"
            case (127, _): return "loopback"
            case (169, 254): return bytes == [169, 254, 169, 254] ? "cloud metadata" : "link-local"
            case (100, 100) where bytes == [100, 100, 100, 200]: return "cloud metadata"
            case (224...239, _): return "multicast"
            case (255, 255) where bytes == [255, 255, 255, 255]: return "broadcast"
            default: return nil
            }
        }
        if bytes.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return "loopback" }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local" }
        if bytes[0] == 0xFF { return "multicast" }
        // AWS's IPv6 metadata endpoint, fd00:ec2::254.
        if bytes == [0xFD, 0x00, 0x0E, 0xC2] + [UInt8](repeating: 0, count: 10) + [0x02, 0x54] { return "cloud metadata" }
        return nil
    }
}
