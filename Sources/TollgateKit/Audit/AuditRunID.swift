/// Run ids: one per Tollgate process, so records of processes sharing a log can be told apart.
public enum AuditRunID {
    /// 16 random bytes as 32 lowercase hex digits, from the system's secure generator
    /// (`getrandom(2)` on Linux, `arc4random_buf` on Darwin, as Swift's `SystemRandomNumberGenerator`).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Hex.encode(bytes)
    }
}
