import CXXHash

/// XXH64 (seed 0) over stored bytes: one of the fastest well-specified 64-bit checksums, with
/// implementations in every language a reader might be written in.
public enum Checksum {
    public static func xxh64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH64(bytes.baseAddress, bytes.count, 0)
    }

    public static func xxh64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { xxh64($0) }
    }
}
