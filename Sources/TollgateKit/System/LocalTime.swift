#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local time zone of the machine (as `TZ` and the system set it), for what people read and
/// type: `2026-12-03 15:04:05.123`.
public enum LocalTime {
    /// A date and time of day on the local clock.
    public struct Components: Sendable, Equatable {
        public var year: Int64, month: Int64, day: Int64
        public var hour: Int64, minute: Int64, second: Int64

        public init(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0) {
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
        }
    }

    /// Reads `TZ` once, before the first conversion.
    private static let zoneRead: Void = tzset()

    /// The local date and time of `seconds` since the Unix epoch.
    public static func components(of seconds: Int64) -> Components {
        _ = zoneRead
        var time = time_t(seconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else {
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let (year, month, day) = UTCTime.civil(days: days)
            let second = seconds - days * 86_400
            return Components(year: year, month: month, day: day, hour: second / 3600, minute: second / 60 % 60, second: second % 60)
        }
        return Components(year: Int64(parts.tm_year) + 1900, month: Int64(parts.tm_mon) + 1, day: Int64(parts.tm_mday),
                          hour: Int64(parts.tm_hour), minute: Int64(parts.tm_min), second: Int64(parts.tm_sec))
    }

    /// The seconds since the Unix epoch of a local date and time (`mktime`, which settles whether
    /// daylight saving time applies), or nil when it cannot be represented.
    public static func seconds(of local: Components) -> Int64? {
        _ = zoneRead
        guard let year = Int32(exactly: local.year - 1900), let month = Int32(exactly: local.month - 1), let day = Int32(exactly: local.day),
            let hour = Int32(exactly: local.hour), let minute = Int32(exactly: local.minute), let second = Int32(exactly: local.second)
        else { return nil }
        var parts = tm()
        parts.tm_year = year
        parts.tm_mon = month
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        parts.tm_isdst = -1
        let result = mktime(&parts)
        return result == -1 && !(local.year == 1969 || local.year == 1970) ? nil : Int64(result)
    }

    /// `2026-12-03 15:04:05.123`: the local time of `timestamp` to the millisecond.
    public static func text(_ timestamp: AuditTimestamp) -> String {
        let local = components(of: timestamp.seconds)
        return "\(UTCTime.pad(local.year, 4))-\(UTCTime.pad(local.month, 2))-\(UTCTime.pad(local.day, 2)) "
            + "\(UTCTime.pad(local.hour, 2)):\(UTCTime.pad(local.minute, 2)):\(UTCTime.pad(local.second, 2))"
            + ".\(UTCTime.pad(Int64(timestamp.microseconds / 1000), 3))"
    }
}
