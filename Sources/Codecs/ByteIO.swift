import Columns

/// Appends little-endian primitives to a growing byte buffer: how every structure of the
/// format is serialised.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { fixed(v.littleEndian) }
    public mutating func u32(_ v: UInt32) { fixed(v.littleEndian) }
    public mutating func u64(_ v: UInt64) { fixed(v.littleEndian) }
    public mutating func i64(_ v: Int64) { fixed(v.littleEndian) }
    public mutating func f64(_ v: Double) { u64(v.bitPattern) }

    /// A u32 byte length, then the UTF-8 bytes.
    public mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    public mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }
    public mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// The raw bytes of a buffer of fixed-width values, which are little-endian on every
    /// platform Baton builds for.
    public mutating func append<T: BitwiseCopyable>(values: [T]) {
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    private mutating func fixed<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
}

/// Reads little-endian primitives from untrusted bytes. Every read is bounds-checked and
/// throws `.corrupt` naming `what` rather than trapping, so a damaged file never crashes.
public struct ByteReader {
    public let buffer: UnsafeRawBufferPointer
    public private(set) var position: Int = 0
    /// Names the structure being read, for error messages ("footer", "chunk").
    let what: String

    public init(_ buffer: UnsafeRawBufferPointer, what: String) {
        self.buffer = buffer
        self.what = what
    }

    public var remaining: Int { buffer.count - position }

    public mutating func u8() throws(BatonError) -> UInt8 { try fixed(UInt8.self) }
    public mutating func i8() throws(BatonError) -> Int8 { Int8(bitPattern: try fixed(UInt8.self)) }
    public mutating func u16() throws(BatonError) -> UInt16 { UInt16(littleEndian: try fixed(UInt16.self)) }
    public mutating func u32() throws(BatonError) -> UInt32 { UInt32(littleEndian: try fixed(UInt32.self)) }
    public mutating func u64() throws(BatonError) -> UInt64 { UInt64(littleEndian: try fixed(UInt64.self)) }
    public mutating func i64() throws(BatonError) -> Int64 { Int64(littleEndian: try fixed(Int64.self)) }
    public mutating func f64() throws(BatonError) -> Double { Double(bitPattern: try u64()) }

    /// A length that must fit in what is left of the buffer when each unit is `unit` bytes.
    public mutating func count(unit: Int = 1) throws(BatonError) -> Int {
        let n = Int(try u32())
        guard n <= remaining / max(unit, 1) else { throw overrun(n * unit) }
        return n
    }

    public mutating func string() throws(BatonError) -> String {
        let raw = try bytes(try count())
        return String(decoding: raw, as: UTF8.self)
    }

    /// The next `n` bytes, without copying.
    public mutating func bytes(_ n: Int) throws(BatonError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw overrun(n) }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<position + n])
    }

    /// `n` fixed-width values copied into an array.
    public mutating func values<T: BitwiseCopyable>(_ type: T.Type, count n: Int) throws(BatonError) -> [T] {
        let (size, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow else { throw overrun(Int.max) }
        let raw = try bytes(size)
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
            initialized = n
        }
    }

    public func expectEnd() throws(BatonError) {
        guard remaining == 0 else {
            throw BatonError(.corrupt, "\(what) has \(remaining) unexpected trailing bytes")
        }
    }

    private mutating func fixed<T: FixedWidthInteger>(_ type: T.Type) throws(BatonError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw overrun(size) }
        defer { position += size }
        return buffer.loadUnaligned(fromByteOffset: position, as: T.self)
    }

    private func overrun(_ wanted: Int) -> BatonError {
        BatonError(.corrupt, "\(what) ends early: needed \(wanted) bytes at offset \(position), \(remaining) left")
    }
}
