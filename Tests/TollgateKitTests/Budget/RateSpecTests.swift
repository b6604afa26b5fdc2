import Testing
@testable import TollgateKit

@Suite("Budget: settings parsing")
struct BudgetRateSpecTests {
    @Test("rates in every unit spelling", arguments: [
        ("30/min", 30, 60_000), ("5/s", 5, 1_000), ("5/sec", 5, 1_000), ("5/second", 5, 1_000),
        ("7/seconds", 7, 1_000), ("2/minute", 2, 60_000), ("100/h", 100, 3_600_000), ("100/hour", 100, 3_600_000),
        ("100/hr", 100, 3_600_000), ("1000/day", 1000, 86_400_000), ("1000/d", 1000, 86_400_000),
        ("3 / Min", 3, 60_000), ("1000000/days", 1_000_000, 86_400_000),
    ] as [(String, Int64, Int64)])
    func rates(text: String, count: Int64, interval: Int64) throws {
        let spec = try RateSpec(parsing: text)
        #expect(spec.count == count)
        #expect(spec.intervalMs == interval)
    }

    @Test("garbage rates are refused with a message", arguments: [
        ("30", "expected a rate"), ("30/m", "write min for minutes"), ("30/mn", "unknown unit \"mn\""),
        ("/min", "is not a whole number"), ("-3/min", "is not a whole number"), ("1.5/s", "is not a whole number"),
        ("0/min", "between 1 and 1000000"), ("1000001/s", "between 1 and 1000000"), ("99999999999999999999/s", "between 1"),
        ("30/min/s", "unknown unit"), ("", "expected a rate"), ("thirty/min", "not a whole number"),
    ])
    func badRates(text: String, fragment: String) {
        #expect {
            _ = try RateSpec(parsing: text)
        } throws: { error in
            guard let error = error as? BudgetSpecError else { return false }
            return error.message.contains(fragment) && error.message.contains("\"30/min\"")
        }
    }

    @Test("canonical text")
    func canonical() throws {
        #expect(try rate("30/minute").description == "30/min")
        #expect(try rate("5/seconds").description == "5/s")
        #expect(try rate("2/days").description == "2/day")
    }

    @Test("windows: 1h, 1d and other lengths; buckets of a minute up to a day")
    func windows() throws {
        let hour = try BudgetWindow(parsing: "1h")
        #expect(hour.lengthMs == 3_600_000 && hour.bucketMs == 60_000)
        let day = try BudgetWindow(parsing: "1d")
        #expect(day.lengthMs == 86_400_000 && day.bucketMs == 60_000)
        let week = try BudgetWindow(parsing: "7d")
        #expect(week.bucketMs == 7 * 60_000, "at most 1440 buckets per budget")
        #expect(try BudgetWindow(parsing: "90min").description == "90min")
        #expect(try BudgetWindow(parsing: "24h").description == "1d")
        for bad in ["", "h", "1", "1m", "0h", "1.5h", "32d", "1 h", "-1h", "1w"] {
            #expect(throws: BudgetSpecError.self, "\(bad)") { try BudgetWindow(parsing: bad) }
        }
    }

    @Test("costs are exact decimals in millionths")
    func costs() throws {
        #expect(try cost("0").micros == 0)
        #expect(try cost("2").micros == 2_000_000)
        #expect(try cost("0.25").micros == 250_000)
        #expect(try cost("1e-3").micros == 1_000)
        #expect(try cost("1.5E+2").micros == 150_000_000)
        #expect(try cost("0.000001").micros == 1)
        #expect(try cost("0.1000000").micros == 100_000, "trailing zeros beyond six decimals are fine")
        #expect(try cost("9000000000000").micros == CostUnits.max.micros)
        for bad in ["-1", "0.0000001", "1e-7", "01", "1.", ".5", "9000000000001", "1e20", "abc", "", "1e"] {
            #expect(throws: BudgetSpecError.self, "\(bad)") { try CostUnits(parsing: bad) }
        }
        #expect(CostUnits(micros: 300_000).description == "0.3")
        #expect(CostUnits(micros: 12_000_000).description == "12")
        #expect(CostUnits(micros: 1).description == "0.000001")
        #expect(CostUnits(micros: -1_500_000).description == "-1.5")
        // 0.1 + 0.2 is exactly 0.3.
        #expect(try cost("0.1").micros + cost("0.2").micros == cost("0.3").micros)
    }

    @Test("ISO 8601 times without Foundation")
    func times() {
        #expect(UTCTime.iso8601(milliseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso8601(milliseconds: epoch2026) == "2026-01-01T00:00:00Z")
        #expect(UTCTime.iso8601(milliseconds: 951_782_400_000 + 86_399_999) == "2000-02-29T23:59:59Z")
        #expect(UTCTime.iso8601(milliseconds: -1) == "1969-12-31T23:59:59Z")
    }
}
