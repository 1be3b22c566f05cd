import Columns

#if canImport(Glibc)
import Glibc
#endif

/// Read access to the rows of a string vector whatever its shape (plain, dictionary or
/// constant), without copying: `row(i)` is the UTF-8 bytes of row i.
struct StringRows {
    let offsets: [Int32]
    let bytes: [UInt8]
    let codes: [Int32]?
    let constant: Bool

    init(_ v: Vector) {
        switch v {
        case .column(let c):
            switch c.storage {
            case .string(let s): (offsets, bytes, codes) = (s.offsets, s.bytes, nil)
            case .dictionary(let codes, let s): (offsets, bytes, self.codes) = (s.offsets, s.bytes, codes)
            default: preconditionFailure("expected a string column, got \(c.type)")
            }
            constant = false
        case .constant(let value, _):
            let text: [UInt8] = if case .string(let s) = value { Array(s.utf8) } else { [] }
            (offsets, bytes, codes, constant) = ([0, Int32(text.count)], text, nil, true)
        }
    }

    init(_ array: StringArray) {
        (offsets, bytes, codes, constant) = (array.offsets, array.bytes, nil, false)
    }

    /// Calls `body` with a cursor whose pointers are valid for the call.
    @inline(__always)
    func with<R>(_ body: (StringCursor) throws -> R) rethrows -> R {
        try offsets.withUnsafeBufferPointer { o in
            try bytes.withUnsafeBytes { b in
                if let codes {
                    try codes.withUnsafeBufferPointer { c in try body(StringCursor(offsets: o, bytes: b, codes: c, constant: constant)) }
                } else {
                    try body(StringCursor(offsets: o, bytes: b, codes: nil, constant: constant))
                }
            }
        }
    }
}

struct StringCursor {
    let offsets: UnsafeBufferPointer<Int32>
    let bytes: UnsafeRawBufferPointer
    let codes: UnsafeBufferPointer<Int32>?
    let constant: Bool

    @inline(__always)
    func row(_ i: Int) -> UnsafeRawBufferPointer {
        let j = constant ? 0 : (codes.map { Int($0[i]) } ?? i)
        return UnsafeRawBufferPointer(rebasing: bytes[Int(offsets[j])..<Int(offsets[j &+ 1])])
    }
}

/// Byte-wise three-way comparison (UTF-8 byte order is code point order).
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
}

@inline(__always)
func equalBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

/// Builds a StringArray row by row.
struct StringBuilder {
    var offsets: [Int32]
    var bytes: [UInt8]

    init(capacity: Int, bytes byteCapacity: Int = 0) {
        offsets = [0]
        offsets.reserveCapacity(capacity + 1)
        bytes = []
        bytes.reserveCapacity(byteCapacity)
    }

    @inline(__always)
    mutating func append(_ b: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: b)
        close()
    }

    /// Ends the current value (after bytes were appended to `bytes` directly).
    @inline(__always)
    mutating func close() {
        precondition(bytes.count <= Int(Int32.max), "a string column holds more than 2 GiB")
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    mutating func appendEmpty() { offsets.append(Int32(truncatingIfNeeded: bytes.count)) }

    var array: StringArray { StringArray(offsets: offsets, bytes: bytes) }
}

extension UnsafeRawBufferPointer {
    var string: String { String(decoding: self, as: UTF8.self) }
}

/// The number of UTF-8 code points (bytes that are not continuation bytes).
@inline(__always)
func characterCount(_ b: UnsafeRawBufferPointer) -> Int {
    var n = 0
    for byte in b { n &+= Int(unsafeBitCast(byte & 0xC0 != 0x80, to: UInt8.self)) }
    return n
}

/// The byte offset of character `k` (0-based) in `b`, or `b.count` when there are fewer.
@inline(__always)
func byteOffset(ofCharacter k: Int, in b: UnsafeRawBufferPointer) -> Int {
    if k <= 0 { return 0 }
    var seen = 0
    var i = 0
    while i < b.count {
        if b[i] & 0xC0 != 0x80 {
            if seen == k { return i }
            seen &+= 1
        }
        i &+= 1
    }
    return b.count
}
