import Testing
@testable import TollgateKit

@Suite("Audit review: times")
struct AuditTimeSpecTests {
    @Test("RFC 3339 as records carry it, and with other offsets; anything else is refused")
    func rfc3339() {
        #expect(AuditTimestamp(rfc3339: "2026-11-23T18:30:00.123456Z") == AuditTimestamp(seconds: 1_795_458_600, microseconds: 123_456))
        #expect(AuditTimestamp(rfc3339: "1970-01-01T00:00:00Z") == AuditTimestamp(seconds: 0, microseconds: 0))
        #expect(AuditTimestamp(rfc3339: "2026-11-23T19:30:00.5+01:00") == AuditTimestamp(seconds: 1_795_458_600, microseconds: 500_000))
        #expect(AuditTimestamp(rfc3339: "2026-11-23 13:00:00.123456789-05:30") == AuditTimestamp(seconds: 1_795_458_600, microseconds: 123_456))
        #expect(AuditTimestamp(rfc3339: "1969-12-31T23:59:59.250000Z") == AuditTimestamp(seconds: -1, microseconds: 250_000))
        for bad in ["", "2026-11-23", "2026-11-23T18:30Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T18:30:00",
                    "2026-11-23T18:30:00.Z", "2026-11-23T18:30:00Zjunk", "2026-1-23T18:30:00Z", "２０２６-11-23T18:30:00Z"] {
            #expect(AuditTimestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test("day numbers and civil dates are inverses, from 1600 to 2400")
    func days() {
        for day in stride(from: Int64(-135_000), through: 157_000, by: 37) {
            let (year, month, dayOfMonth) = UTCTime.civil(days: day)
            #expect(UTCTime.days(year: year, month: month, day: dayOfMonth) == day)
        }
        #expect(UTCTime.days(year: 2000, month: 3, day: 1) == 11_017)
    }

    @Test("--since and --until: spans back from now, local dates and times, today's time, RFC 3339")
    func parse() throws {
        #expect(try AuditTimeSpec.parse("30s") == .ago(milliseconds: 30_000))
        #expect(try AuditTimeSpec.parse("15m") == .ago(milliseconds: 900_000))
        #expect(try AuditTimeSpec.parse("15min") == .ago(milliseconds: 900_000))
        #expect(try AuditTimeSpec.parse("2h") == .ago(milliseconds: 7_200_000))
        #expect(try AuditTimeSpec.parse("7d") == .ago(milliseconds: 604_800_000))
        #expect(try AuditTimeSpec.parse("1w") == .ago(milliseconds: 604_800_000))
        #expect(try AuditTimeSpec.parse("2026-12-03") == .local(LocalTime.Components(year: 2026, month: 12, day: 3)))
        #expect(try AuditTimeSpec.parse("2026-12-03T09:30") == .local(LocalTime.Components(year: 2026, month: 12, day: 3, hour: 9, minute: 30)))
        #expect(try AuditTimeSpec.parse("2026-12-03 09:30:15") == .local(LocalTime.Components(year: 2026, month: 12, day: 3, hour: 9, minute: 30, second: 15)))
        #expect(try AuditTimeSpec.parse("09:30") == .today(hour: 9, minute: 30, second: 0))
        #expect(try AuditTimeSpec.parse("2026-12-03T08:30:00Z") == .at(AuditTimestamp(rfc3339: "2026-12-03T08:30:00Z")!))
        for bad in ["", "h", "5", "5y", "-5m", "1234567h", "2026-12", "25:00", "09:30 tomorrow", "2026-12-03T", "yesterday"] {
            #expect(throws: AuditTimeSpec.ParseError.self, "\(bad)") { try AuditTimeSpec.parse(bad) }
        }
    }

    @Test("a span is counted back from now; a point in time stays; local times go through the time zone")
    func resolve() throws {
        let now = AuditTimestamp(seconds: 1_795_458_600, microseconds: 250)
        #expect(AuditTimeSpec.ago(milliseconds: 1500).timestamp(now: now) == AuditTimestamp(seconds: 1_795_458_598, microseconds: 500_250))
        let fixed = AuditTimestamp(rfc3339: "2026-12-03T08:30:00Z")!
        #expect(AuditTimeSpec.at(fixed).timestamp(now: now) == fixed)
        // Whatever the zone, the local clock reads what was asked at the instant found.
        let local = try AuditTimeSpec.parse("2026-12-03T09:30:15").timestamp(now: now)
        #expect(LocalTime.text(local) == "2026-12-03 09:30:15.000")
        let today = try AuditTimeSpec.parse("06:45").timestamp(now: now)
        #expect(LocalTime.text(today).hasSuffix(" 06:45:00.000") && LocalTime.text(today).prefix(10) == LocalTime.text(now).prefix(10))
    }
}
