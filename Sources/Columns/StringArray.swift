/// Variable-length UTF-8 values as one byte buffer plus `count + 1` offsets (Arrow's utf8
/// layout): value `i` is `bytes[offsets[i] ..< offsets[i + 1]]`.
///
/// Offsets are 32-bit, so one array holds at most 2 GiB of text; batches are small enough
/// (`Batch.capacity` rows) that only pathological values reach that, and builders check it.
public struct StringArray: Sendable, Equatable {
    public private(set) var offsets: [Int32]
    public private(set) var bytes: [UInt8]

    public init() {
        offsets = [0]
        bytes = []
    }

    /// - Precondition: offsets start at 0, never decrease, and end at `bytes.count`.
    public init(offsets: [Int32], bytes: [UInt8]) {
        precondition(offsets.first == 0 && Int(offsets.last!) == bytes.count, "malformed string offsets")
        self.offsets = offsets
        self.bytes = bytes
    }

    public init<S: Sequence>(_ strings: S) where S.Element == String {
        self.init()
        for string in strings { append(string) }
    }

    public var count: Int { offsets.count - 1 }

    public mutating func reserveCapacity(count: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(count + 1)
        bytes.reserveCapacity(byteCount)
    }

    public mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public mutating func append(_ utf8: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: utf8)
        precondition(bytes.count <= Int(Int32.max), "a string column holds more than 2 GiB")
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    /// Appends value `index` of `other`.
    public mutating func append(from other: StringArray, at index: Int) {
        other.withBytes(at: index) { append($0) }
    }

    /// Calls `body` with the UTF-8 bytes of value `index`, without copying them.
    @inlinable
    public func withBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    public subscript(index: Int) -> String {
        withBytes(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Values `range` as a new array.
    public func slice(_ range: Range<Int>) -> StringArray {
        let base = offsets[range.lowerBound]
        let end = offsets[range.upperBound]
        let newOffsets = offsets[range.lowerBound...range.upperBound].map { $0 - base }
        return StringArray(offsets: newOffsets, bytes: Array(bytes[Int(base)..<Int(end)]))
    }
}

extension StringArray {
    /// The length every value has, or nil if lengths differ (or there are none): key columns
    /// often hold fixed-width codes, whose byte totals are then a multiplication.
    public var uniformLength: Int? {
        guard count > 0 else { return nil }
        return offsets.withUnsafeBufferPointer { o -> Int? in
            let length = o[1] &- o[0]
            for i in 1..<count where o[i &+ 1] &- o[i] != length { return nil }
            return Int(length)
        }
    }

    /// Bytes of the values `codes` name, as if each row held its own copy; rows whose
    /// `validity` bit is clear count nothing.
    public func totalBytes(ofCodes codes: [Int32], validity: Bitmap?) -> Int {
        if validity == nil, let length = uniformLength { return codes.count * length }
        return offsets.withUnsafeBufferPointer { o in
            codes.withUnsafeBufferPointer { c in
                var total = 0
                for i in 0..<c.count where validity.map({ $0[i] }) ?? true {
                    let code = Int(c[i])
                    total &+= Int(o[code &+ 1] &- o[code])
                }
                return total
            }
        }
    }
}
