import Columns

/// The bytes of the input block being parsed: a buffer the input is read into directly, with
/// the unconsumed tail of one block moved to the front for the next. (An `[UInt8]` cannot
/// grow without initializing, so it took a read into a side buffer and a copy per block.)
final class ByteBlock {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// Where the unconsumed bytes start, and how many there are.
    private var start = 0
    private(set) var count = 0

    init(_ bytes: [UInt8] = []) {
        capacity = max(64, bytes.count)
        storage = .allocate(byteCount: capacity, alignment: 64)
        bytes.withUnsafeBytes { if let base = $0.baseAddress { storage.copyMemory(from: base, byteCount: $0.count) } }
        count = bytes.count
    }

    deinit { storage.deallocate() }

    var isEmpty: Bool { count == 0 }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: storage + start, count: count))
    }

    func starts(with prefix: [UInt8]) -> Bool {
        count >= prefix.count && withUnsafeBytes { $0.starts(with: prefix) }
    }

    func removeFirst(_ k: Int) {
        precondition(k <= count)
        start += k
        count -= k
    }

    /// Reads from `stream` until the block holds `size` bytes or the input ends. Returns false
    /// once a call finds the input ended without adding a byte (so the block read last is
    /// parsed as not final, and a later call says the input is done). The unconsumed bytes
    /// move to the front first.
    func fill(from stream: InputStream, upTo size: Int) throws(BatonError) -> Bool {
        if start > 0 {
            if count > 0 { storage.copyMemory(from: storage + start, byteCount: count) }
            start = 0
        }
        if capacity < size {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
            grown.copyMemory(from: storage, byteCount: count)
            storage.deallocate()
            storage = grown
            capacity = size
        }
        var added = 0
        while count < size {
            let n = try stream.read(into: UnsafeMutableRawBufferPointer(start: storage + count, count: size - count))
            if n == 0 { return added > 0 }
            count += n
            added += n
        }
        return true
    }
}
