#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant with microsecond precision, written as RFC 3339 in UTC:
/// `2026-11-23T18:30:00.123456Z` (always six fraction digits, always `Z`).
public struct AuditTimestamp: Sendable, Equatable, Comparable {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    public var seconds: Int64
    /// Microseconds within the second, 0..<1_000_000.
    public var microseconds: Int32

    /// Creates a timestamp; `microseconds` must be in 0..<1_000_000.
    public init(seconds: Int64, microseconds: Int32) {
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// The current time from `clock_gettime(CLOCK_REALTIME)`.
    public static func now() -> AuditTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AuditTimestamp(seconds: Int64(spec.tv_sec), microseconds: Int32(spec.tv_nsec / 1000))
    }

    public static func < (lhs: AuditTimestamp, rhs: AuditTimestamp) -> Bool {
        (lhs.seconds, lhs.microseconds) < (rhs.seconds, rhs.microseconds)
    }

    /// The RFC 3339 text.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let template: [UInt8] = Array("0000-00-00T00:00:00.000000Z".utf8)

    /// Appends the RFC 3339 text (27 bytes for years 0 to 9999) to `bytes`.
    func write(into bytes: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = UTCTime.civil(days: days)
        guard (0...9999).contains(year) else {
            var text = UTCTime.pad(year, 4) + "-" + UTCTime.pad(month, 2) + "-" + UTCTime.pad(day, 2)
            text += "T" + UTCTime.pad(secondOfDay / 3600, 2) + ":" + UTCTime.pad(secondOfDay / 60 % 60, 2)
            text += ":" + UTCTime.pad(secondOfDay % 60, 2) + "." + UTCTime.pad(Int64(microseconds), 6) + "Z"
            return bytes.append(contentsOf: text.utf8)
        }
        // The usual case: fixed positions, written in place.
        let start = bytes.count
        bytes.append(contentsOf: Self.template)
        bytes.withUnsafeMutableBufferPointer { buffer in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: start + offset + width - 1, through: start + offset, by: -1) {
                    buffer[index] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            put(month, 2, at: 5)
            put(day, 2, at: 8)
            put(secondOfDay / 3600, 2, at: 11)
            put(secondOfDay / 60 % 60, 2, at: 14)
            put(secondOfDay % 60, 2, at: 17)
            put(Int64(microseconds), 6, at: 20)
        }
    }
}
