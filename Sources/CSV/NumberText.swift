/// Decimal text of numbers, written straight into an output buffer (no String per value).
enum NumberText {
    /// The most bytes `shortDouble` writes: a sign, "0.", four zeros and 15 digits.
    static let maxShortDouble = 24

    /// "00" through "99": two digits per division by 100.
    private static let pairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Powers of ten that are exact doubles.
    private static let exactPowers: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }

    /// Writes `v` in decimal at `p` (at most 20 bytes) and returns the end.
    @inline(__always)
    static func integer(_ v: Int64, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = p
        if v < 0 {
            q.pointee = UInt8(ascii: "-")
            q += 1
        }
        return unsigned(v.magnitude, at: q)
    }

    /// Writes the digits of `u` at `p` and returns the end.
    @inline(__always)
    static func unsigned(_ u: UInt64, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && u >= bound {
            digits &+= 1
            bound = bound &* 10
        }
        let end = p + digits
        var q = end
        var rest = u
        let table = pairs.utf8Start
        while rest >= 100 {
            let pair = Int(rest % 100) &* 2
            rest /= 100
            q -= 2
            q[0] = table[pair]
            q[1] = table[pair &+ 1]
        }
        if rest >= 10 {
            let pair = Int(rest) &* 2
            q -= 2
            q[0] = table[pair]
            q[1] = table[pair &+ 1]
        } else {
            q -= 1
            q[0] = UInt8(truncatingIfNeeded: rest) &+ 48
        }
        return end
    }

    /// Writes `v` exactly as Swift's `description` spells it, when that is cheap to find: for
    /// zero, whole numbers below 10^15, and values from 10^-4 to 10^15 whose shortest
    /// round-tripping form has at most 15 significant digits. Returns nil otherwise (the
    /// caller falls back to `description`), and for NaN and infinities.
    ///
    /// Why 15 digits suffice as a test: every decimal of 15 significant digits survives the
    /// trip to a double and back (DBL_DIG), so at most one such decimal names `v`. Rounding
    /// `v × 10^s` to 15 digits and checking that the quotient `m / 10^s` — a correctly
    /// rounded division of two exact doubles, i.e. what a correct parser returns — equals `v`
    /// finds it; without trailing zeros it is the shortest form, which is what `description`
    /// prints in this range.
    static func shortDouble(_ v: Double, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>? {
        let a = v.magnitude
        guard a < 1e15 else { return nil }  // also NaN
        var q = p
        if v.sign == .minus {
            q.pointee = UInt8(ascii: "-")
            q += 1
        }
        if a == a.rounded(.towardZero) {
            q = unsigned(UInt64(a), at: q)
            q[0] = UInt8(ascii: ".")
            q[1] = UInt8(ascii: "0")
            return q + 2
        }
        guard a >= 1e-4 else { return nil }
        // floor(log10(a)) is this or one more.
        let exponent10 = (Int(a.exponent) &* 1233) >> 12
        var s = 14 &- exponent10
        var m = (a * exactPowers[s]).rounded()
        if m >= 1e15 {
            guard s > 0 else { return nil }
            s &-= 1
            m = (a * exactPowers[s]).rounded()
        } else if m < 1e14 {
            s &+= 1
            m = (a * exactPowers[s]).rounded()
        }
        guard m >= 1e14, m < 1e15, m / exactPowers[s] == a else { return nil }
        // Digits before the point (zero or less: the value is below 1).
        let whole = 15 &- s
        if whole <= 0 {
            q[0] = UInt8(ascii: "0")
            q[1] = UInt8(ascii: ".")
            q += 2
            for _ in 0..<(-whole) {
                q.pointee = UInt8(ascii: "0")
                q += 1
            }
            return trimmingZeros(fifteenDigits(UInt64(m), at: q))
        }
        // The digits one byte right, then the whole part moved left over the gap and the point
        // put after it. Not a whole number (that took the branch above), so the fraction has a
        // digit other than zero and trimming stops inside it.
        let end = fifteenDigits(UInt64(m), at: q + 1)
        for k in 0..<whole { q[k] = q[k &+ 1] }
        q[whole] = UInt8(ascii: ".")
        return trimmingZeros(end)
    }

    /// Writes the 15 digits of `u` (10^14 ≤ u < 10^15) at `p` and returns the end.
    @inline(__always)
    private static func fifteenDigits(_ u: UInt64, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let table = pairs.utf8Start
        var rest = u
        var q = p + 15
        for _ in 0..<7 {
            let pair = Int(rest % 100) &* 2
            rest /= 100
            q -= 2
            q[0] = table[pair]
            q[1] = table[pair &+ 1]
        }
        p.pointee = UInt8(truncatingIfNeeded: rest) &+ 48
        return p + 15
    }

    /// The end of the text before `end` without its trailing zeros.
    @inline(__always)
    private static func trimmingZeros(_ end: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var e = end
        while (e - 1).pointee == UInt8(ascii: "0") { e -= 1 }
        return e
    }
}
