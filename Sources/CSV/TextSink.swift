import Columns

/// A byte buffer that hands full blocks to `flush` (stdout, a file): writers format into it
/// directly instead of building a String per value.
public struct TextSink {
    public private(set) var buffer: [UInt8] = []
    private let flushThreshold: Int
    private let flush: (UnsafeRawBufferPointer) throws(BatonError) -> Void

    public init(flushThreshold: Int = 1 << 20, _ flush: @escaping (UnsafeRawBufferPointer) throws(BatonError) -> Void) {
        self.flushThreshold = flushThreshold
        self.flush = flush
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    @inline(__always) public mutating func byte(_ b: UInt8) { buffer.append(b) }
    public mutating func bytes(_ raw: UnsafeRawBufferPointer) { buffer.append(contentsOf: raw) }
    public mutating func text(_ s: String) { buffer.append(contentsOf: s.utf8) }

    /// Decimal digits of `v` without an intermediate String.
    public mutating func integer(_ v: Int64) {
        var magnitude = v.magnitude
        if v < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var i = 24
            repeat {
                i -= 1
                scratch[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
                magnitude /= 10
            } while magnitude != 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[i..<24]))
        }
    }

    /// The shortest text that reads back as the same double (Swift's `description`), with
    /// `nan`, `inf` and `-inf` spelled as most CSV readers expect.
    public mutating func double(_ v: Double) {
        if v.isNaN { text("NaN"); return }
        if v.isInfinite { text(v < 0 ? "-inf" : "inf"); return }
        if v == v.rounded(), abs(v) < 1e15 {
            integer(Int64(v))
            if v == 0 && v.sign == .minus { buffer.insert(UInt8(ascii: "-"), at: buffer.count - 1) }
            text(".0")
            return
        }
        text(v.description)
    }

    /// Hands the buffer to `flush` once it passes the threshold.
    public mutating func flushIfFull() throws(BatonError) {
        if buffer.count >= flushThreshold { try flushNow() }
    }

    public mutating func flushNow() throws(BatonError) {
        guard !buffer.isEmpty else { return }
        let result = buffer.withUnsafeBytes { raw in Result { () throws(BatonError) in try flush(raw) } }
        buffer.removeAll(keepingCapacity: true)
        try result.get()
    }
}
