import Codecs
import Columns

/// A dictionary's values, with a validity bitmap when some values are null.
struct ArrowDictionary {
    var values: StringArray
    var validity: Bitmap?
}

/// Turns one record batch body into Baton columns (of the batch's full length; callers split).
///
/// Walks the columns in schema order, taking one node and the column's buffers (validity,
/// then offsets or values) in turn, as the columnar format lays them out. Every buffer
/// location, length and offset comes from the input and is checked before use; a compressed
/// buffer is inflated to the length its 8-byte prefix records.
struct ArrowBatchDecoder {
    let layout: RecordBatchLayout
    let body: [UInt8]
    /// The input's name and the message's place in it, for errors.
    let file: String
    let context: String
    private var nextNode = 0
    private var nextBuffer = 0

    init(layout: RecordBatchLayout, body: [UInt8], file: String, context: String) {
        self.file = file
        self.layout = layout
        self.body = body
        self.context = context
    }

    func corrupt(_ what: String, column: String? = nil) -> BatonError {
        BatonError(.corrupt, "\(context): \(what)", at: .init(file: file, column: column),
                   hint: "the input is not valid Arrow IPC; check that the producer wrote a complete stream or file")
    }

    private mutating func node(_ name: String) throws(BatonError) -> RecordBatchLayout.Node {
        guard nextNode < layout.nodes.count else { throw corrupt("the record batch has no field node for this column", column: name) }
        defer { nextNode += 1 }
        let node = layout.nodes[nextNode]
        guard node.length == layout.length else {
            throw corrupt("the column has \(node.length) values, the record batch \(layout.length) rows", column: name)
        }
        return node
    }

    /// The next buffer's bytes (a view of the body, or the decompressed copy).
    private mutating func buffer(_ name: String) throws(BatonError) -> ArraySlice<UInt8> {
        guard nextBuffer < layout.buffers.count else { throw corrupt("the record batch lists too few buffers", column: name) }
        let location = layout.buffers[nextBuffer]
        defer { nextBuffer += 1 }
        guard location.offset >= 0, location.length >= 0, location.offset <= body.count - location.length else {
            throw corrupt("buffer \(nextBuffer) at body offset \(location.offset), \(location.length) bytes, lies outside the \(body.count)-byte body",
                          column: name)
        }
        let raw = body[location.offset..<location.offset + location.length]
        guard let codec = layout.compression, !raw.isEmpty else { return raw }
        guard raw.count >= 8 else { throw corrupt("compressed buffer \(nextBuffer) is \(raw.count) bytes, shorter than its length prefix", column: name) }
        let size = raw.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
        let payload = raw.dropFirst(8)
        if size == -1 { return payload }
        guard size >= 0, size <= Int64(Int32.max) else {
            throw corrupt("compressed buffer \(nextBuffer) claims \(size) uncompressed bytes", column: name)
        }
        do throws(BatonError) {
            return try withRawBytes(payload) { (input) throws(BatonError) in try codec.decompress(input, size: Int(size)) }[...]
        } catch {
            throw corrupt("buffer \(nextBuffer): \(error.message)", column: name)
        }
    }

    private func need(_ bytes: ArraySlice<UInt8>, _ count: Int, _ what: String, _ name: String) throws(BatonError) {
        guard bytes.count >= count else {
            throw corrupt("the \(what) buffer holds \(bytes.count) bytes, \(count) needed for \(layout.length) rows", column: name)
        }
    }

    private mutating func validity(_ node: RecordBatchLayout.Node, _ name: String) throws(BatonError) -> Bitmap? {
        let bytes = try buffer(name)
        if node.nullCount == 0 { return nil }
        if bytes.isEmpty { throw corrupt("the column has \(node.nullCount) nulls but no validity buffer", column: name) }
        try need(bytes, (node.length + 7) / 8, "validity", name)
        return bytes.withUnsafeBytes { Bitmap(bytes: $0, count: node.length) }
    }

    /// Reads every column of `fields`.
    mutating func columns(_ fields: [ArrowField], dictionaries: [Int64: ArrowDictionary]) throws(BatonError) -> [Column] {
        var result: [Column] = []
        result.reserveCapacity(fields.count)
        for field in fields {
            if let encoding = field.dictionary {
                guard let dictionary = dictionaries[encoding.id] else {
                    throw BatonError(.corrupt, "\(context): no dictionary batch with id \(encoding.id) came before this record batch",
                                     at: .init(file: file, column: field.name), hint: "the producer must send a column's dictionary before its first batch")
                }
                result.append(try dictionaryColumn(field, encoding, dictionary))
            } else {
                result.append(try column(field))
            }
        }
        return result
    }

    mutating func column(_ field: ArrowField) throws(BatonError) -> Column {
        let name = field.name
        let node = try node(name)
        let validity = try validity(node, name)
        let n = node.length
        switch field.type {
        case .bool:
            let bytes = try buffer(name)
            try need(bytes, (n + 7) / 8, "values", name)
            return Column(.bool, .bool(bytes.withUnsafeBytes { Bitmap(bytes: $0, count: n) }), validity: validity)
        case .utf8, .largeUtf8:
            let offsets = try buffer(name)
            let data = try buffer(name)
            let strings = try stringArray(offsets: offsets, data: data, wide: field.type == .largeUtf8, count: n, name: name)
            return Column(.string, .string(strings), validity: validity)
        case .date32:
            let bytes = try buffer(name)
            try need(bytes, 4 * n, "values", name)
            return Column(.date, .int32(bytes.withUnsafeBytes { Self.load(Int32.self, $0, n) }), validity: validity)
        case .float(let bits):
            let bytes = try buffer(name)
            try need(bytes, bits / 8 * n, "values", name)
            let values: [Double] = bytes.withUnsafeBytes { raw in
                bits == 64 ? Self.load(Double.self, raw, n) : Self.load(Float.self, raw, n).map { Double($0) }
            }
            return Column(.float64, .float64(values), validity: validity)
        case .int(let bits, let signed):
            let bytes = try buffer(name)
            try need(bytes, bits / 8 * n, "values", name)
            return Column(.int64, .int64(bytes.withUnsafeBytes { Self.widen($0, n, bits: bits, signed: signed) }), validity: validity)
        case .timestamp(let unit, _):
            let bytes = try buffer(name)
            try need(bytes, 8 * n, "values", name)
            var values = bytes.withUnsafeBytes { Self.load(Int64.self, $0, n) }
            try toMicroseconds(&values, unit: unit, validity: validity, name: name)
            return Column(.timestamp, .int64(values), validity: validity)
        }
    }

    /// Scales timestamps to microseconds; nanoseconds round toward minus infinity (Baton keeps
    /// microseconds, as Spark and most databases do).
    private func toMicroseconds(_ values: inout [Int64], unit: Int, validity: Bitmap?, name: String) throws(BatonError) {
        switch unit {
        case 2: return
        case 3:
            values.withUnsafeMutableBufferPointer { v in
                for i in v.indices {
                    let (q, r) = v[i].quotientAndRemainder(dividingBy: 1000)
                    v[i] = r < 0 ? q &- 1 : q
                }
            }
        default:
            let scale: Int64 = unit == 0 ? 1_000_000 : 1000
            for i in values.indices {
                let (scaled, overflow) = values[i].multipliedReportingOverflow(by: scale)
                if overflow {
                    if let validity, !validity[i] { values[i] = 0; continue }
                    throw BatonError(.invalidInput, "\(context): row \(i): timestamp \(values[i]) is out of range in microseconds",
                                     at: .init(file: file, column: name), hint: "Baton holds timestamps as 64-bit microseconds")
                }
                values[i] = scaled
            }
        }
    }

    mutating func dictionaryColumn(_ field: ArrowField, _ encoding: DictionaryEncoding,
                                   _ dictionary: ArrowDictionary) throws(BatonError) -> Column {
        let name = field.name
        let node = try node(name)
        var validity = try validity(node, name)
        let n = node.length
        let bytes = try buffer(name)
        try need(bytes, encoding.indexBits / 8 * n, "indices", name)
        let wide = bytes.withUnsafeBytes { Self.widen($0, n, bits: encoding.indexBits, signed: encoding.indexSigned) }
        let size = Int64(dictionary.values.count)
        // Indices in range are kept; one out of range is an error unless its row is null
        // (a null slot may hold anything), and then becomes 0 so that every code is valid.
        var bad = -1
        let codes = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            wide.withUnsafeBufferPointer { w in
                for i in 0..<n {
                    let code = w[i]
                    if UInt64(bitPattern: code) < UInt64(size) {
                        out[i] = Int32(truncatingIfNeeded: code)
                    } else {
                        out[i] = 0
                        if bad < 0 && (validity.map { $0[i] } ?? true) { bad = i }
                    }
                }
            }
            initialized = n
        }
        if bad >= 0 {
            throw corrupt("row \(bad): dictionary index \(wide[bad]) is outside the \(size)-value dictionary \(encoding.id)", column: name)
        }
        if let nulls = dictionary.validity {
            // A null dictionary value makes the rows that point at it null.
            var merged = validity ?? Bitmap(repeating: true, count: n)
            for i in 0..<n where merged[i] && !nulls[Int(codes[i])] { merged[i] = false }
            validity = merged
        }
        // A code must stay in range even in a null row: an all-null column gets a one-value dictionary.
        let values = size == 0 && n > 0 ? StringArray([""]) : dictionary.values
        return Column(.string, .dictionary(codes: codes, values: values), validity: validity)
    }

    /// Checks and copies variable-length offsets: they must start at or after 0, never
    /// decrease and end inside the data; they are rebased to start at 0.
    private func stringArray(offsets: ArraySlice<UInt8>, data: ArraySlice<UInt8>, wide: Bool, count n: Int, name: String) throws(BatonError) -> StringArray {
        if n == 0 && offsets.isEmpty { return StringArray() }
        try need(offsets, (wide ? 8 : 4) * (n + 1), "offsets", name)
        let raw: [Int64] = offsets.withUnsafeBytes { wide ? Self.load(Int64.self, $0, n + 1) : Self.load(Int32.self, $0, n + 1).map { Int64($0) } }
        let first = raw[0]
        var previous = first
        guard first >= 0 else { throw corrupt("string offset 0 is \(first)", column: name) }
        for i in 1...n {
            guard raw[i] >= previous else {
                throw corrupt("string offsets decrease at row \(i - 1) (\(previous) then \(raw[i]))", column: name)
            }
            previous = raw[i]
        }
        guard previous <= Int64(data.count) else {
            throw corrupt("string offsets reach byte \(previous) of a \(data.count)-byte data buffer", column: name)
        }
        guard previous - first <= Int64(Int32.max) else {
            throw BatonError(.invalidInput, "\(context): the batch holds more than 2 GiB of text in one column", at: .init(file: file, column: name),
                             hint: "write smaller record batches")
        }
        let rebased = raw.map { Int32(truncatingIfNeeded: $0 - first) }
        let base = data.startIndex
        return StringArray(offsets: rebased, bytes: Array(data[(base + Int(first))..<(base + Int(previous))]))
    }

    /// `count` little-endian values of `T` from the start of `raw` (checked by the caller).
    static func load<T>(_: T.Type, _ raw: UnsafeRawBufferPointer, _ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<count * MemoryLayout<T>.stride])) }
            initialized = count
        }
    }

    static func widen(_ raw: UnsafeRawBufferPointer, _ n: Int, bits: Int, signed: Bool) -> [Int64] {
        switch (bits, signed) {
        case (64, _): load(Int64.self, raw, n)
        case (32, true): load(Int32.self, raw, n).map { Int64($0) }
        case (32, false): load(UInt32.self, raw, n).map { Int64($0) }
        case (16, true): load(Int16.self, raw, n).map { Int64($0) }
        case (16, false): load(UInt16.self, raw, n).map { Int64($0) }
        case (8, true): load(Int8.self, raw, n).map { Int64($0) }
        default: load(UInt8.self, raw, n).map { Int64($0) }
        }
    }
}
