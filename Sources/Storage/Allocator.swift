import CShims

/// Process-wide allocator settings for a columnar engine.
public enum Allocator {
    /// Keeps chunk-sized buffers (a few MB each) in malloc's heap instead of giving each one its
    /// own mmap: glibc otherwise maps and unmaps every buffer over 128 KiB… 32 MiB, and a scan
    /// then spends more time in page faults than in decoding (measured: 40% of a full read).
    /// Call once, first thing in `main`.
    public static func tuneForColumnarWork() {
        baton_tune_malloc(32 << 20, 256 << 20)
    }
}
