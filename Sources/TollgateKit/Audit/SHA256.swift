/// SHA-256 (FIPS 180-4), incremental and allocation-free: the state, the pending partial block and
/// the message schedule all live inline or on the stack, so hashing never touches the heap.
///
/// Tollgate has its own implementation because CryptoKit does not exist on Linux and Tollgate
/// takes no dependencies. Checked against the NIST vectors in the tests.
public struct SHA256: Sendable {
    /// The size of a digest in bytes.
    public static let digestCount = 32
    /// The size of a block in bytes (HMAC pads keys to this).
    public static let blockCount = 64

    var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// The pending bytes of a block not yet complete (64 bytes of inline storage).
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `pending` are in use (0..<64).
    private var pendingCount = 0
    /// The message length so far, in bytes.
    private var length: UInt64 = 0

    /// Creates a hasher with the initial state.
    public init() {}

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(remaining, Self.blockCount - pendingCount)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.advanced(by: offset).copyMemory(from: input, byteCount: take) }
            pendingCount += take
            input += take
            remaining -= take
            guard pendingCount == Self.blockCount else { return }
            var block = pending
            withUnsafeBytes(of: &block) { compress(blocks: $0.baseAddress!, count: 1) }
            pendingCount = 0
        }
        let whole = remaining / Self.blockCount
        if whole > 0 {
            compress(blocks: input, count: whole)
            input += whole * Self.blockCount
            remaining -= whole * Self.blockCount
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: input, byteCount: remaining) }
            pendingCount = remaining
        }
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds the UTF-8 bytes of a string to the message.
    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Pads the message and returns its 32-byte digest. The hasher is consumed.
    public consuming func finalize() -> [UInt8] {
        let hasher = self
        return [UInt8](unsafeUninitializedCapacity: Self.digestCount) { digest, count in
            hasher.finalize(into: UnsafeMutableRawBufferPointer(digest))
            count = Self.digestCount
        }
    }

    /// Pads the message and writes its 32-byte digest to the start of `digest` (no allocation).
    /// The hasher is consumed.
    public consuming func finalize(into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= Self.digestCount)
        let bitLength = length &* 8
        var padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let padCount = pendingCount < 56 ? 56 - pendingCount : 120 - pendingCount
        withUnsafeMutableBytes(of: &padding) { pad in
            pad[0] = 0x80
            for i in 0..<8 { pad[padCount + i] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(i))) }
            update(UnsafeRawBufferPointer(rebasing: pad[..<(padCount + 8)]))
        }
        withUnsafeBytes(of: state) { words in
            for index in 0..<8 {
                let word = words.load(fromByteOffset: 4 &* index, as: UInt32.self)
                digest.storeBytes(of: word.bigEndian, toByteOffset: 4 &* index, as: UInt32.self)
            }
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The digest of the UTF-8 bytes of `text` in one call.
    public static func hash(_ text: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(text)
        return hasher.finalize()
    }
}
