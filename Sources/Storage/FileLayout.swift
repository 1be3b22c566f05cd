/// Fixed facts of the `.baton` layout (docs/FORMAT.md):
///
///     magic (8) | chunk bodies … | footer | trailer (24)
///     trailer = footer length (u64) | footer XXH64 (u64) | format version (u32) | "BATN"
public enum FileLayout {
    /// The first 8 bytes. The high first byte catches 7-bit transfers and the CR LF catches
    /// line-ending conversion, as PNG's signature does.
    public static let magic: [UInt8] = [0x89, 0x42, 0x41, 0x54, 0x4F, 0x4E, 0x0D, 0x0A]
    /// The last 4 bytes: present only once a write has completed.
    public static let tailMagic: [UInt8] = Array("BATN".utf8)
    public static let trailerSize = 24
    /// The newest format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    /// The most rows a row group may hold. It bounds what one chunk can decode to (a chunk of
    /// bit-packed zeros is a few bytes on disk whatever its row count), so a forged row count
    /// cannot make a reader allocate without limit: 16 Mi rows × 8 bytes = 128 MiB.
    public static let maxRowGroupRows = 1 << 24
    /// Writers close a row group once its plain data reaches this size, whatever its row
    /// count, so a chunk body stays far below the 2 GiB limit.
    public static let maxRowGroupPlainBytes = 512 << 20
    /// The largest plain size a chunk entry may claim (informative, but summed by readers).
    public static let maxPlainSize: UInt64 = 1 << 40
}
