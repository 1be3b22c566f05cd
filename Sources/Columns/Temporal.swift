/// Calendar arithmetic for Date (days since 1970-01-01) and Timestamp (microseconds since the
/// epoch, UTC), in the proleptic Gregorian calendar. Pure integer arithmetic, no Foundation:
/// these run once per value when text is written or parsed.
public enum Temporal {
    /// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count (Howard Hinnant's civil_from_days).
    public static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// `YYYY-MM-DD` (ISO 8601).
    public static func formatDate(_ days: Int32) -> String {
        let (y, m, d) = civil(days: Int64(days))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC; the fraction appears only when it is not zero.
    public static func formatTimestamp(_ micros: Int64) -> String {
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000
        var text = formatDate(Int32(truncatingIfNeeded: days)) + " "
        text += pad(Int(seconds / 3600), 2) + ":" + pad(Int(seconds / 60 % 60), 2) + ":" + pad(Int(seconds % 60), 2)
        if fraction != 0 { text += "." + pad(Int(fraction), 6) }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Temporal {
    /// Parses `YYYY-MM-DD`; nil when the text is not a valid date.
    public static func parseDate(_ text: Substring) -> Int32? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy(\.isASCIIDigits),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= daysInMonth(year: y, month: m) else { return nil }
        return Int32(days(year: y, month: m, day: d))
    }

    /// Parses `YYYY-MM-DD[ T]HH:MM:SS[.f…]` (up to microseconds, optional trailing `Z`) as UTC.
    public static func parseTimestamp(_ text: Substring) -> Int64? {
        var text = text
        if text.last == "Z" { text = text.dropLast() }
        guard text.count >= 19 else { return nil }
        let datePart = text.prefix(10), separator = text[text.index(text.startIndex, offsetBy: 10)]
        guard separator == " " || separator == "T", let day = parseDate(datePart) else { return nil }
        let clock = text.dropFirst(11)
        let hms = clock.prefix(8).split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 3, hms.allSatisfy({ $0.count == 2 && $0.isASCIIDigits }), let h = Int(hms[0]), let mi = Int(hms[1]),
              let s = Int(hms[2]), h < 24, mi < 60, s < 60 else { return nil }
        var micros: Int64 = 0
        let fraction = clock.dropFirst(8)
        if !fraction.isEmpty {
            guard fraction.first == ".", fraction.count >= 2, fraction.count <= 7,
                  fraction.dropFirst().isASCIIDigits else { return nil }
            let digits = fraction.dropFirst()
            micros = Int64(digits)! * Int64((0..<(6 - digits.count)).reduce(1) { acc, _ in acc * 10 })
        }
        return Int64(day) * 86_400_000_000 + Int64(h * 3600 + mi * 60 + s) * 1_000_000 + micros
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Substring {
    /// Non-empty and only the digits 0-9 (no sign, no other numerals).
    var isASCIIDigits: Bool { !isEmpty && utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
}
