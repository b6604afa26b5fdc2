/// HMAC-SHA-256 (RFC 2104): `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message))`, where `K` is the key
/// padded with zeros to the 64-byte block, or first hashed with SHA-256 when it is longer than
/// the block. Incremental, like ``SHA256``; checked against RFC 4231 in the tests.
public struct HMAC: Sendable {
    /// The inner hash, already fed `K ⊕ ipad`.
    private var inner: SHA256
    /// The outer hash, already fed `K ⊕ opad`; it receives the inner digest at the end.
    private var outer: SHA256

    /// Creates an authenticator for `key` (any length, also empty).
    public init(key: [UInt8]) {
        var block = key.count > SHA256.blockCount ? SHA256.hash(key) : key
        block.append(contentsOf: repeatElement(0, count: SHA256.blockCount - block.count))
        inner = SHA256()
        outer = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        outer.update(block.map { $0 ^ 0x5c })
    }

    /// Adds message bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// Adds message bytes.
    public mutating func update(_ bytes: [UInt8]) {
        inner.update(bytes)
    }

    /// The 32-byte authentication code. The authenticator is consumed.
    public consuming func finalize() -> [UInt8] {
        let authenticator = self
        return [UInt8](unsafeUninitializedCapacity: SHA256.digestCount) { code, count in
            authenticator.finalize(into: UnsafeMutableRawBufferPointer(code))
            count = SHA256.digestCount
        }
    }

    /// Writes the 32-byte authentication code to the start of `code` (no allocation). The
    /// authenticator is consumed.
    public consuming func finalize(into code: UnsafeMutableRawBufferPointer) {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { inner.finalize(into: $0) }
        withUnsafeBytes(of: digest) { outer.update($0) }
        outer.finalize(into: code)
    }

    /// The authentication code of `message` under `key` in one call.
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var hmac = HMAC(key: key)
        hmac.update(message)
        return hmac.finalize()
    }
}
