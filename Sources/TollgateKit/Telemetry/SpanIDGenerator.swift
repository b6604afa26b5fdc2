/// Random trace and span ids for the exporter thread: xoshiro256** seeded once from the system's
/// secure generator (ids need to be unique, not secret, and the exporter makes thousands a second).
struct SpanIDGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next())
        if state.0 | state.1 | state.2 | state.3 == 0 { state.0 = 1 }
    }

    /// The next 64 random bits, never zero (a zero id is invalid).
    mutating func next() -> UInt64 {
        while true {
            let result = (state.1 &* 5).rotatedLeft(7) &* 9
            let t = state.1 << 17
            state.2 ^= state.0
            state.3 ^= state.1
            state.1 ^= state.2
            state.0 ^= state.3
            state.2 ^= t
            state.3 = state.3.rotatedLeft(45)
            if result != 0 { return result }
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
