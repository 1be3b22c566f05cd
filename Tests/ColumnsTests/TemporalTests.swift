import Testing
import Columns
import TestSupport

@Suite struct TemporalTests {
    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func monthLength(_ y: Int, _ m: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    @Test func knownDays() {
        #expect(Temporal.days(year: 1970, month: 1, day: 1) == 0)
        #expect(Temporal.days(year: 1969, month: 12, day: 31) == -1)
        #expect(Temporal.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(Temporal.days(year: 2024, month: 2, day: 29) == 19_782)
        #expect(Temporal.days(year: 1900, month: 3, day: 1) == -25_508)
        #expect(Temporal.days(year: 0, month: 1, day: 1) == -719_528)
        #expect(Temporal.days(year: -1, month: 12, day: 31) == -719_529)
        #expect(Temporal.days(year: 9999, month: 12, day: 31) == 2_932_896)
    }

    /// Walks day by day over ~1,100 years either side of the epoch and checks each day is the
    /// successor of the one before under the Gregorian leap rules, and that days/civil invert.
    @Test func dayByDayWalkAroundTheEpoch() {
        var (y, m, d) = Temporal.civil(days: -400_000)
        #expect(Temporal.days(year: y, month: m, day: d) == -400_000)
        for day in Int64(-399_999)...400_000 {
            d += 1
            if d > Self.monthLength(y, m) { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
            let civil = Temporal.civil(days: day)
            if civil.year != y || civil.month != m || civil.day != d {
                Issue.record("day \(day): got \(civil), expected \((y, m, d))")
                return
            }
            if Temporal.days(year: y, month: m, day: d) != day {
                Issue.record("days(\(y)-\(m)-\(d)) != \(day)")
                return
            }
        }
    }

    @Test func roundTripOverAWideRange() {
        var rng = SeededGenerator(seed: 31)
        let edges: [Int64] = [Int64(Int32.min), Int64(Int32.max), -146_097, 146_097, -719_468, -719_469, 0, -1]
        let random = (0..<5_000).map { _ in Int64.random(in: Int64(Int32.min)...Int64(Int32.max), using: &rng) }
        for day in edges + random {
            let c = Temporal.civil(days: day)
            #expect((1...12).contains(c.month))
            #expect((1...Self.monthLength(c.year, c.month)).contains(c.day))
            #expect(Temporal.days(year: c.year, month: c.month, day: c.day) == day)
        }
    }

    @Test func leapYears() {
        for year in [1600, 2000, 2024, 1996, -4, 0, 400] {
            let feb29 = Temporal.days(year: year, month: 2, day: 29)
            #expect(Temporal.days(year: year, month: 3, day: 1) - feb29 == 1)
            #expect(Temporal.civil(days: feb29) == (year, 2, 29))
        }
        for year in [1700, 1800, 1900, 2100, 2023, -1, 100] {
            #expect(Temporal.days(year: year, month: 3, day: 1) - Temporal.days(year: year, month: 2, day: 28) == 1)
        }
        #expect(Temporal.days(year: 2001, month: 1, day: 1) - Temporal.days(year: 2000, month: 1, day: 1) == 366)
        #expect(Temporal.days(year: 1901, month: 1, day: 1) - Temporal.days(year: 1900, month: 1, day: 1) == 365)
    }

    @Test func formatDate() {
        #expect(Temporal.formatDate(0) == "1970-01-01")
        #expect(Temporal.formatDate(-1) == "1969-12-31")
        #expect(Temporal.formatDate(19_782) == "2024-02-29")
        #expect(Temporal.formatDate(11_016) == "2000-02-29")
        #expect(Temporal.formatDate(-719_528) == "0000-01-01")
        #expect(Temporal.formatDate(-719_529) == "-0001-12-31")
        #expect(Temporal.formatDate(2_932_896) == "9999-12-31")
        #expect(Temporal.formatDate(2_932_897) == "10000-01-01")
        #expect(Temporal.formatDate(Int32.max) == "5881580-07-11")
        #expect(Temporal.formatDate(Int32.min) == "-5877641-06-23")
    }

    @Test func formatTimestamp() {
        #expect(Temporal.formatTimestamp(0) == "1970-01-01 00:00:00")
        #expect(Temporal.formatTimestamp(1) == "1970-01-01 00:00:00.000001")
        #expect(Temporal.formatTimestamp(-1) == "1969-12-31 23:59:59.999999")
        #expect(Temporal.formatTimestamp(-1_000_000) == "1969-12-31 23:59:59")
        #expect(Temporal.formatTimestamp(-1_500_000) == "1969-12-31 23:59:58.500000")
        #expect(Temporal.formatTimestamp(1_500_000) == "1970-01-01 00:00:01.500000")
        #expect(Temporal.formatTimestamp(86_400_000_000) == "1970-01-02 00:00:00")
        #expect(Temporal.formatTimestamp(-86_400_000_000) == "1969-12-31 00:00:00")
        #expect(Temporal.formatTimestamp(-86_400_000_001) == "1969-12-30 23:59:59.999999")
        let leapNoon = 19_782 * 86_400_000_000 + Int64(12 * 3600 + 34 * 60 + 56) * 1_000_000 + 789_000
        #expect(Temporal.formatTimestamp(leapNoon) == "2024-02-29 12:34:56.789000")
        #expect(Temporal.formatTimestamp(Int64.max) == "294247-01-10 04:00:54.775807")
        #expect(Temporal.formatTimestamp(Int64.min) == "-290308-12-21 19:59:05.224192")
    }

    @Test func parseDateValid() {
        #expect(Temporal.parseDate("1970-01-01") == 0)
        #expect(Temporal.parseDate("1969-12-31") == -1)
        #expect(Temporal.parseDate("2024-02-29") == 19_782)
        #expect(Temporal.parseDate("2000-02-29") == 11_016)
        #expect(Temporal.parseDate("1600-02-29") == Int32(Temporal.days(year: 1600, month: 2, day: 29)))
        #expect(Temporal.parseDate("0000-01-01") == -719_528)
        #expect(Temporal.parseDate("9999-12-31") == 2_932_896)
    }

    @Test(arguments: ["2023-02-29", "1900-02-29", "2100-02-29", "2023-04-31", "2023-13-01", "2023-00-10",
                      "2023-01-00", "2023-01-32", "2023-4-01", "2023-04-1", "23-04-01", "02023-04-01",
                      "2023/04/01", "", "2023-04-01x", " 2023-04-01", "abcd-01-01", "2023-04", "2023-04-01-01",
                      "2023--4-01", "-023-04-01"])
    func parseDateInvalid(text: String) {
        #expect(Temporal.parseDate(Substring(text)) == nil)
    }

    @Test func parseDateRoundTripsFormatDate() {
        var rng = SeededGenerator(seed: 32)
        let lo = Int32(Temporal.days(year: 0, month: 1, day: 1)), hi = Int32(Temporal.days(year: 9999, month: 12, day: 31))
        for day in [lo, hi, 0, -1] + (0..<3_000).map({ _ in Int32.random(in: lo...hi, using: &rng) }) {
            #expect(Temporal.parseDate(Substring(Temporal.formatDate(day))) == day)
        }
    }

    @Test func parseTimestampValid() {
        let leapNoon = 19_782 * 86_400_000_000 + Int64(12 * 3600 + 34 * 60 + 56) * 1_000_000
        #expect(Temporal.parseTimestamp("2024-02-29 12:34:56") == leapNoon)
        #expect(Temporal.parseTimestamp("2024-02-29T12:34:56") == leapNoon)
        #expect(Temporal.parseTimestamp("2024-02-29T12:34:56Z") == leapNoon)
        #expect(Temporal.parseTimestamp("2024-02-29 12:34:56.5") == leapNoon + 500_000)
        #expect(Temporal.parseTimestamp("2024-02-29 12:34:56.05Z") == leapNoon + 50_000)
        #expect(Temporal.parseTimestamp("2024-02-29 12:34:56.123456") == leapNoon + 123_456)
        #expect(Temporal.parseTimestamp("2024-02-29 12:34:56.000001") == leapNoon + 1)
        #expect(Temporal.parseTimestamp("1969-12-31 23:59:59.999999") == -1)
        #expect(Temporal.parseTimestamp("1970-01-01 00:00:00") == 0)
        #expect(Temporal.parseTimestamp("0000-01-01 00:00:00") == -719_528 * 86_400_000_000)
    }

    @Test(arguments: ["2023-02-29 00:00:00", "2024-01-01 24:00:00", "2024-01-01 23:60:00", "2024-01-01 23:59:60",
                      "2024-01-01X00:00:00", "2024-01-01 00:00:00.", "2024-01-01 00:00:00.1234567",
                      "2024-01-01 00:00:00.12a", "2024-01-01 0:00:00", "2024-01-01 00:0:000", "2024-01-01",
                      "2024-01-01 00:00", "2024-01-01 00:00:00ZZ", "2024-01-01 00:00:00 ", "2024-01-01 00-00-00",
                      "", "Z", "2024-01-01 00:00:00,5", "2024-01-01 aa:bb:cc", "2024-01-01 00:00:00.٣"])
    func parseTimestampInvalid(text: String) {
        #expect(Temporal.parseTimestamp(Substring(text)) == nil)
    }

    /// "-1" is two characters and parses as an Int, so a sign slips through the width checks.
    @Test(arguments: ["2024-01-01 -1:00:00", "2024-01-01 00:-1:00", "2024-01-01 00:00:-1", "2024-01-01 +1:00:00"])
    func parseTimestampRejectsSignedClockFields(text: String) {
        #expect(Temporal.parseTimestamp(Substring(text)) == nil)
    }

    @Test(arguments: ["2023-+1-01", "2023-01-+1", "+999-01-01"])
    func parseDateRejectsSignedFields(text: String) {
        #expect(Temporal.parseDate(Substring(text)) == nil)
    }

    @Test func parseTimestampRoundTripsFormatTimestamp() {
        var rng = SeededGenerator(seed: 33)
        let lo = Temporal.days(year: 0, month: 1, day: 1) * 86_400_000_000
        let hi = (Temporal.days(year: 9999, month: 12, day: 31) + 1) * 86_400_000_000 - 1
        var samples: [Int64] = [lo, hi, 0, -1, 1, -86_400_000_000, 999_999]
        for _ in 0..<3_000 {
            var micros = Int64.random(in: lo...hi, using: &rng)
            // Exercise whole seconds and short fractions too.
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: micros -= ((micros % 1_000_000) + 1_000_000) % 1_000_000
            case 1: micros -= ((micros % 1_000) + 1_000) % 1_000
            default: break
            }
            samples.append(micros)
        }
        for micros in samples {
            let text = Temporal.formatTimestamp(micros)
            #expect(Temporal.parseTimestamp(Substring(text)) == micros, "\(text)")
        }
    }
}
