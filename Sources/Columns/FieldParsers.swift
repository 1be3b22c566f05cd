#if canImport(Glibc)
import Glibc
#endif

/// Parsers from a field's bytes to a typed value. Each returns nil when the text is not a
/// value of its type, never a rounded or truncated one: "007" is not an Int64 (leading zeros
/// mark identifiers), "1e400" is not a Float64, "12345678901234567890" is not an Int64.
public enum FieldParsers {
    /// Optional sign, then digits; no leading zeros except "0" itself; fits in Int64.
    @inlinable @inline(__always)
    public static func int64(_ field: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        let n = field.count
        guard n > 0 else { return nil }
        var negative = false
        let first = field[0]
        if first == 45 || first == 43 {  // - +
            negative = first == 45
            i = 1
            guard n > 1 else { return nil }
        }
        if field[i] == 48 && n - i > 1 { return nil }  // leading zero
        guard n - i <= 19 else { return nil }
        var value: UInt64 = 0
        if n - i >= 4 && n - i <= 8 {
            // Four to eight digits (most integer fields): checked and converted as one word.
            guard let v = eightDigits(field.baseAddress! + i, count: n - i) else { return nil }
            return negative ? Int64(bitPattern: 0 &- v) : Int64(v)
        }
        while i < n {
            let digit = field[i] &- 48
            guard digit < 10 else { return nil }
            value = value &* 10 &+ UInt64(digit)
            i &+= 1
        }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(bitPattern: 0 &- value)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// `int64` for the commonest field, 1 to 8 digits without a sign, read as one word that
    /// ends at `end` (the caller guarantees 8 readable bytes before it); nil for anything
    /// else (a sign, a leading zero, a non-digit), which the caller hands to `int64`. Small
    /// enough to inline into a parsing loop, where the call to `int64` would cost as much as
    /// the parse.
    @inlinable @inline(__always)
    public static func shortInt64(endingAt end: UnsafeRawPointer, count: Int) -> Int64? {
        let shift = UInt64(8 &* (8 &- count))
        let low = (1 &<< shift) &- 1
        var w = (end - 8).loadUnaligned(as: UInt64.self)
        w = w & ~low | 0x3030_3030_3030_3030 & low
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard w & nibbles == 0x3030_3030_3030_3030, (w &+ 0x0606_0606_0606_0606) & nibbles == 0x3030_3030_3030_3030,
              count == 1 || (w &>> shift) & 0xFF != 0x30 else {
            return nil
        }
        var v = w & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return Int64(((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32)
    }

    /// The value of `count` (4...8) ASCII digits at `p`, or nil if any byte is not a digit.
    ///
    /// Two overlapping loads put the digits in the high bytes of a word whose low bytes are
    /// '0'; a bytewise range check and three multiply-shift steps (pairs, quads, the whole
    /// word) replace the per-digit loop (SWAR, as in simdjson's eight-digit parser).
    @inlinable @inline(__always)
    static func eightDigits(_ p: UnsafeRawPointer, count: Int) -> UInt64? {
        let lo = UInt64(p.loadUnaligned(as: UInt32.self))
        let hi = UInt64(p.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
        let shift = UInt64(8 &* (8 &- count))
        var w = lo | hi << UInt64(8 &* (count &- 4))
        w = w << shift | (0x3030_3030_3030_3030 as UInt64) >> (64 &- shift)
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard w & nibbles == 0x3030_3030_3030_3030, (w &+ 0x0606_0606_0606_0606) & nibbles == 0x3030_3030_3030_3030 else {
            return nil
        }
        var v = w & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    /// Powers of ten exactly representable as doubles, for the fast path.
    static let exactPowers: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { acc, _ in acc * 10 } }

    /// Decimal and scientific notation, `inf`/`infinity`/`nan` in any case with an optional sign.
    /// Short decimals (at most 15 significant digits and 22 fraction digits) are converted
    /// exactly by one division (the Clinger fast path); everything else goes through `strtod`,
    /// which rounds correctly. A leading-zero integer part ("007.5") is not a number here, for
    /// the same reason as in `int64`; "0.5" and ".5" are. An integer without a point or an
    /// exponent is accepted only if a double holds it exactly (|n| <= 2^53): a 19-digit id
    /// must not silently become a rounded float.
    @inlinable @inline(__always)
    public static func float64(_ field: UnsafeRawBufferPointer) -> Double? {
        // The common shape first, in one loop: an optional sign, at most 15 digits and at
        // most one point (what the general path below computes the same way).
        let n = field.count
        guard n > 0, n <= 17, let base = field.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return float64General(field)
        }
        let negative = base[0] == 45
        let digitsStart = negative || base[0] == 43 ? 1 : 0
        var i = digitsStart
        var mantissa: UInt64 = 0
        var dot = -1
        while i < n {
            let c = base[i]
            let d = c &- 48
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
            } else if c == 46 && dot < 0 {
                dot = i
            } else {
                return float64General(field)
            }
            i &+= 1
        }
        let integerDigits = (dot >= 0 ? dot : n) &- digitsStart
        let digits = n &- digitsStart &- (dot >= 0 ? 1 : 0)
        guard digits > 0, digits <= 15 else { return float64General(field) }
        if integerDigits > 1 && base[digitsStart] == 48 { return nil }
        let value = Double(mantissa) / powerOfTen(dot >= 0 ? n &- dot &- 1 : 0)
        return negative ? -value : value
    }

    /// 10^k for k in 0...15, exactly (a jump table, no array access).
    @inlinable @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        default: 1e15
        }
    }

    /// Every accepted shape: exponents, long mantissas, inf and nan.
    @usableFromInline
    static func float64General(_ field: UnsafeRawBufferPointer) -> Double? {
        let n = field.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if field[0] == 45 || field[0] == 43 {
            negative = field[0] == 45
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var integerDigits = 0
        let integerStart = i
        while i < n, field[i] &- 48 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(field[i] &- 48) }
            digits += 1
            integerDigits += 1
            i += 1
        }
        if integerDigits > 1 && field[integerStart] == 48 { return nil }
        var fractionDigits = 0
        if i < n && field[i] == 46 {  // .
            i += 1
            while i < n, field[i] &- 48 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(field[i] &- 48) }
                digits += 1
                fractionDigits += 1
                i += 1
            }
        }
        if i == n {
            guard digits > 0 else { return nil }
            if fractionDigits == 0 && !(i > integerStart && field[i - 1] == 46) && digits > 15 {
                guard digits <= 19, mantissa <= 1 << 53 else { return nil }
                return negative ? -Double(mantissa) : Double(mantissa)
            }
            if digits <= 15 && fractionDigits <= 22 {
                let value = Double(mantissa) / exactPowers[fractionDigits]
                return negative ? -value : value
            }
            return slow(field)
        }
        // Exponent, or a word (inf, nan), or garbage: let strtod decide on the whole text, but
        // only for the shapes that are numbers.
        if digits > 0 && (field[i] == 101 || field[i] == 69) { return slow(field) }
        if digits == 0 && fractionDigits == 0 && i == integerStart {
            let word = String(decoding: UnsafeRawBufferPointer(rebasing: field[i...]), as: UTF8.self).lowercased()
            switch word {
            case "inf", "infinity": return negative ? -.infinity : .infinity
            case "nan": return .nan
            default: return nil
            }
        }
        return nil
    }

    static func slow(_ field: UnsafeRawBufferPointer) -> Double? {
        guard field.count < 128 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: field.count + 1) { buffer in
            for i in 0..<field.count { buffer[i] = CChar(bitPattern: field[i]) }
            buffer[field.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + field.count else { return nil }
            // strtod saturates to ±inf on overflow and to 0 on underflow: a finite text that
            // became infinite, or a non-zero one that became zero, is not a value we can hold.
            if value.isInfinite { return nil }
            if value == 0 {
                var i = 0
                while i < field.count && field[i] != 101 && field[i] != 69 {  // up to the exponent
                    if field[i] >= 49 && field[i] <= 57 { return nil }  // a non-zero digit
                    i += 1
                }
            }
            return value
        }
    }

    /// `true` / `false` in any case.
    public static func bool(_ field: UnsafeRawBufferPointer) -> Bool? {
        switch field.count {
        case 4:
            let lower = field.loadUnaligned(as: UInt32.self) | 0x2020_2020
            return lower == 0x6575_7274 ? true : nil  // "true"
        case 5:
            let lower = field.loadUnaligned(as: UInt32.self) | 0x2020_2020
            return lower == 0x736c_6166 && field[4] | 0x20 == 0x65 ? false : nil  // "fals" "e"
        default:
            return nil
        }
    }

    @inline(__always)
    static func digits(_ field: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for i in start..<start + count {
            let d = field[i] &- 48
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }

    /// `YYYY-MM-DD`, a real calendar date.
    public static func date(_ field: UnsafeRawBufferPointer) -> Int32? {
        guard field.count == 10, field[4] == 45, field[7] == 45,
              let y = digits(field, 0, 4), let m = digits(field, 5, 2), let d = digits(field, 8, 2),
              (1...12).contains(m), d >= 1, d <= Temporal.daysInMonth(year: y, month: m) else { return nil }
        return Int32(Temporal.days(year: y, month: m, day: d))
    }

    /// `YYYY-MM-DD[ T]HH:MM:SS[.f{1,6}][Z|±HH:MM]`, as UTC microseconds.
    public static func timestamp(_ field: UnsafeRawBufferPointer) -> Int64? {
        var n = field.count
        var offsetSeconds = 0
        if n > 0 && field[n - 1] == 90 {  // Z
            n -= 1
        } else if n >= 25, field[n - 3] == 58, field[n - 6] == 43 || field[n - 6] == 45,
                  let oh = digits(field, n - 5, 2), let om = digits(field, n - 2, 2), oh < 24, om < 60 {
            // A UTC offset, +HH:MM or -HH:MM: the value is stored as UTC.
            offsetSeconds = (oh * 3600 + om * 60) * (field[n - 6] == 45 ? -1 : 1)
            n -= 6
        }
        guard n >= 19, field[10] == 32 || field[10] == 84, field[13] == 58, field[16] == 58,
              let day = date(UnsafeRawBufferPointer(rebasing: field[0..<10])),
              let h = digits(field, 11, 2), let mi = digits(field, 14, 2), let s = digits(field, 17, 2),
              h < 24, mi < 60, s < 60 else { return nil }
        var micros: Int64 = 0
        if n > 19 {
            let fraction = n - 20
            guard field[19] == 46, (1...6).contains(fraction), let f = digits(field, 20, fraction) else { return nil }
            micros = Int64(f)
            for _ in fraction..<6 { micros *= 10 }
        }
        return Int64(day) * 86_400_000_000 + Int64(h * 3600 + mi * 60 + s - offsetSeconds) * 1_000_000 + micros
    }
}
