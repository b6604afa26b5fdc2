/// Reads the parts of a date and time written as in RFC 3339, byte by byte.
struct DateTimeScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index == bytes.count }

    /// `YYYY-MM-DD`: the date's day number (days since 1970-01-01), or nil.
    mutating func date() -> (year: Int64, month: Int64, day: Int64)? {
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return (year, month, day)
    }

    /// `HH:MM[:SS[.fraction]]`: the time of day and its microseconds, or nil.
    mutating func timeOfDay(requireSeconds: Bool) -> (hour: Int64, minute: Int64, second: Int64, microseconds: Int32)? {
        guard let hour = number(2), take(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
        var second: Int64 = 0
        var microseconds: Int32 = 0
        if take(":") {
            guard let value = number(2), value < 61 else { return nil }
            second = value
            if take(".") {
                var digits = 0
                while index < bytes.count, let digit = Self.digit(bytes[index]) {
                    if digits < 6 { microseconds = microseconds * 10 + Int32(digit) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in min(digits, 6)..<6 { microseconds *= 10 }
            }
        } else if requireSeconds {
            return nil
        }
        return (hour, minute, second, microseconds)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]` (`T`, `t` or a space): the seconds it names on a UTC clock,
    /// and the microseconds, or nil.
    mutating func dateAndTime() -> (seconds: Int64, microseconds: Int32)? {
        guard let (year, month, day) = date(), take("T") || take("t") || take(" "),
            let time = timeOfDay(requireSeconds: true)
        else { return nil }
        let days = UTCTime.days(year: year, month: month, day: day)
        return (days * 86_400 + time.hour * 3600 + time.minute * 60 + time.second, time.microseconds)
    }

    /// `Z` or `±HH:MM`: the offset from UTC in seconds, or nil.
    mutating func offset() -> Int64? {
        if take("Z") || take("z") { return 0 }
        let sign: Int64
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let hours = number(2), take(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// Takes `character` when it comes next.
    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Exactly `count` decimal digits.
    private mutating func number(_ count: Int) -> Int64? {
        guard index + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for offset in 0..<count {
            guard let digit = Self.digit(bytes[index + offset]) else { return nil }
            value = value * 10 + digit
        }
        index += count
        return value
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }
}
