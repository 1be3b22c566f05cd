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

    /// Under a memory limit, heap that operators have freed goes back to the system sooner:
    /// glibc keeps up to the trim threshold of free memory at the top of each arena, and with
    /// 256 MiB per arena a run under a 256 MiB budget could sit on that much freed heap besides
    /// what it holds. A sixteenth of the limit (at least 8 MiB) keeps the slack small.
    public static func fit(toLimit limit: Int) {
        let trim = min(256 << 20, max(8 << 20, limit / 16))
        let map = min(32 << 20, max(1 << 20, limit / 64))
        baton_tune_malloc(Int32(clamping: map), Int32(clamping: trim))
    }
}
