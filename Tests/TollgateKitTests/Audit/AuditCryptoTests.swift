import Testing
@testable import TollgateKit

@Suite("Audit: SHA-256 and HMAC-SHA-256 vectors")
struct AuditCryptoTests {
    @Test("SHA-256: NIST FIPS 180 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func nist(message: String, digest: String) {
        #expect(Hex.encode(SHA256.hash(message)) == digest)
        #expect(Hex.encode(SHA256.hash(bytes(message))) == digest)
    }

    @Test("SHA-256: one million 'a', fed in one piece and in uneven pieces")
    func millionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Hex.encode(SHA256.hash(message)) == expected)
        var hasher = SHA256()
        var offset = 0
        var step = 1
        while offset < message.count {
            let end = min(message.count, offset + step)
            hasher.update(Array(message[offset..<end]))
            offset = end
            step = step % 131 + 7
        }
        #expect(Hex.encode(hasher.finalize()) == expected)
    }

    @Test("SHA-256: any split of a message gives the same digest (lengths around the padding edges)")
    func splits() {
        var random = SplitMix64(seed: 0x5A5A)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let whole = SHA256.hash(message)
            for cut in Set([0, length / 3, length / 2, length]) {
                var hasher = SHA256()
                hasher.update(Array(message[..<cut]))
                hasher.update(Array(message[cut...]))
                #expect(hasher.finalize() == whole, "length \(length), cut at \(cut)")
            }
        }
    }

    @Test("SHA-256: the CPU's SHA instructions and the Swift rounds give the same state, block by block and in runs")
    func hardwareMatchesPortable() throws {
        try #require(SHA256.hasHardwareRounds, "this CPU has no SHA instructions: only the Swift rounds run here")
        var random = SplitMix64(seed: 0xC0FFEE)
        for count in [1, 2, 3, 7, 16] {
            let blocks = (0..<(count * SHA256.blockCount)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var hardware = SHA256(), portable = SHA256()
            blocks.withUnsafeBytes { bytes in
                hardware.compress(blocks: bytes.baseAddress!, count: count)
                portable.compressPortable(blocks: bytes.baseAddress!, count: count)
            }
            #expect(words(hardware) == words(portable), "\(count) blocks")
        }
    }

    private func words(_ hasher: SHA256) -> [UInt32] {
        let s = hasher.state
        return [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7]
    }

    /// One RFC 4231 test case, named by its number in test reports.
    struct HMACCase: CustomTestStringConvertible, Sendable {
        var number: Int
        var key: [UInt8]
        var message: [UInt8]
        var code: String
        var testDescription: String { "RFC 4231 test case \(number)" }
    }

    static let hmacCases: [HMACCase] = [
        HMACCase(number: 1, key: Array(repeating: 0x0b, count: 20), message: bytes("Hi There"),
                 code: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        HMACCase(number: 2, key: bytes("Jefe"), message: bytes("what do ya want for nothing?"),
                 code: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        HMACCase(number: 3, key: Array(repeating: 0xaa, count: 20), message: Array(repeating: 0xdd, count: 50),
                 code: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        HMACCase(number: 4, key: Array(1...25), message: Array(repeating: 0xcd, count: 50),
                 code: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        HMACCase(number: 6, key: Array(repeating: 0xaa, count: 131),
                 message: bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
                 code: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        HMACCase(number: 7, key: Array(repeating: 0xaa, count: 131),
                 message: bytes("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
                 code: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test("HMAC-SHA-256: RFC 4231 test cases 1-4, 6, 7 (keys shorter and longer than the block)", arguments: hmacCases)
    func rfc4231(vector: HMACCase) {
        #expect(Hex.encode(HMAC.authenticationCode(key: vector.key, message: vector.message)) == vector.code)
    }

    @Test("HMAC-SHA-256: RFC 4231 test case 5 (output truncated to 128 bits)")
    func rfc4231Truncated() {
        let code = HMAC.authenticationCode(key: Array(repeating: 0x0c, count: 20), message: bytes("Test With Truncation"))
        #expect(Hex.encode(code.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test("HMAC: incremental updates equal one call")
    func hmacIncremental() {
        var hmac = HMAC(key: bytes("key"))
        hmac.update(bytes("The quick brown fox "))
        hmac.update(bytes("jumps over the lazy dog"))
        #expect(Hex.encode(hmac.finalize()) == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test("hex encodes lowercase and decodes either case")
    func hex() {
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.decode("000FA0ff") == [0x00, 0x0f, 0xa0, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("") == [])
        #expect(Hex.isLowercase("00ff", count: 4))
        #expect(!Hex.isLowercase("00FF", count: 4))
        #expect(!Hex.isLowercase("00ff", count: 6))
    }
}
