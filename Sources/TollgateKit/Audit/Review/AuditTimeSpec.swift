/// A time `--since` or `--until` names: a span back from now (`30s`, `15m`, `2h`, `7d`), a local
/// date (`2026-12-03`: its midnight), a local date and time (`2026-12-03T09:30`, `2026-12-03 09:30:15`),
/// a time today (`09:30`), or an RFC 3339 time with its offset (`2026-12-03T08:30:00Z`).
public enum AuditTimeSpec: Sendable, Equatable {
    /// This long before now.
    case ago(milliseconds: Int64)
    /// A point in time.
    case at(AuditTimestamp)
    /// A date and time on the local clock.
    case local(LocalTime.Components)
    /// A time of day today, on the local clock.
    case today(hour: Int64, minute: Int64, second: Int64)

    /// Why a time could not be read.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text given.
        public var text: String

        public var description: String {
            "'\(text)' is not a time: give a span back from now (30s, 15m, 2h, 7d), a date (2026-12-03), "
                + "a local date and time (2026-12-03T09:30), a time today (09:30) or RFC 3339 (2026-12-03T08:30:00Z)"
        }
    }

    /// Reads the text of `--since` or `--until`.
    public static func parse(_ text: String) throws(ParseError) -> AuditTimeSpec {
        if let span = span(text) { return .ago(milliseconds: span) }
        if let timestamp = AuditTimestamp(rfc3339: text) { return .at(timestamp) }
        var scanner = DateTimeScanner(text)
        if let (year, month, day) = scanner.date() {
            if scanner.atEnd { return .local(LocalTime.Components(year: year, month: month, day: day)) }
            if scanner.take("T") || scanner.take("t") || scanner.take(" "), let time = scanner.timeOfDay(requireSeconds: false), scanner.atEnd {
                return .local(LocalTime.Components(year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second))
            }
            throw ParseError(text: text)
        }
        scanner = DateTimeScanner(text)
        if let time = scanner.timeOfDay(requireSeconds: false), scanner.atEnd {
            return .today(hour: time.hour, minute: time.minute, second: time.second)
        }
        throw ParseError(text: text)
    }

    /// `N` followed by `s`, `m` or `min`, `h`, `d` or `w`, in milliseconds (at most about 300 years).
    private static func span(_ text: String) -> Int64? {
        let digits = text.utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard !digits.isEmpty, digits.count <= 6, let count = Int64(String(decoding: digits, as: UTF8.self)) else { return nil }
        let unit = Array(text.utf8.dropFirst(digits.count))
        let unitMs: Int64
        switch unit {
        case Array("s".utf8): unitMs = 1000
        case Array("m".utf8), Array("min".utf8): unitMs = 60_000
        case Array("h".utf8): unitMs = 3_600_000
        case Array("d".utf8): unitMs = 86_400_000
        case Array("w".utf8): unitMs = 7 * 86_400_000
        default: return nil
        }
        return count * unitMs
    }

    /// The point in time meant, with `now` for spans and today's date (local times are read with
    /// the machine's time zone).
    public func timestamp(now: AuditTimestamp) -> AuditTimestamp {
        switch self {
        case .ago(let milliseconds):
            return now.minus(milliseconds: milliseconds)
        case .at(let timestamp):
            return timestamp
        case .local(let components):
            return AuditTimestamp(seconds: LocalTime.seconds(of: components) ?? now.seconds, microseconds: 0)
        case .today(let hour, let minute, let second):
            var today = LocalTime.components(of: now.seconds)
            (today.hour, today.minute, today.second) = (hour, minute, second)
            return AuditTimestamp(seconds: LocalTime.seconds(of: today) ?? now.seconds, microseconds: 0)
        }
    }
}
