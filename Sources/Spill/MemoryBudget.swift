import Columns
#if canImport(Glibc)
import Glibc
#endif

/// The one memory budget of a run, shared by every operator that buffers.
///
/// Operators take a `MemoryReservation` (named after themselves, so an error names the culprit)
/// and grow it *before* they buffer: a refused growth is the signal to spill, then retry. The
/// budget counts data (batches, hash tables, sort buffers) by the operators' own estimates, not
/// the allocator's view; the CLI leaves headroom for the rest by its default of 60% of RAM.
public final class MemoryBudget: @unchecked Sendable {
    /// Bytes the data of one run may take; nil: no limit (nothing ever spills).
    public let limit: Int?
    private var mutex = pthread_mutex_t()
    private var usedBytes = 0
    private var peakBytes = 0
    private var evictables: [WeakEvictable] = []

    private struct WeakEvictable {
        weak var value: (any MemoryEvictable)?
    }

    public init(limit: Int?) {
        self.limit = limit
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// A budget with no limit: reservations always succeed (and are still counted).
    public static func unlimited() -> MemoryBudget { MemoryBudget(limit: nil) }

    /// Bytes reserved now, and the most ever reserved at once.
    public var used: Int { locked { usedBytes } }
    public var peak: Int { locked { peakBytes } }

    /// A new, empty reservation for `consumer` (`"HashAggregate[partition 3]"`).
    public func reservation(_ consumer: String) -> MemoryReservation { MemoryReservation(consumer, self) }

    func tryTake(_ bytes: Int) -> Bool {
        locked {
            if let limit, usedBytes + bytes > limit, bytes > 0 { return false }
            usedBytes += bytes
            peakBytes = max(peakBytes, usedBytes)
            return true
        }
    }

    func give(_ bytes: Int) { locked { usedBytes -= bytes } }

    /// Registers a holder of memory that can let go of it on request (by spilling), so that
    /// the operators still working get the memory of data that is only waiting.
    public func register(_ evictable: any MemoryEvictable) {
        locked { evictables.append(WeakEvictable(value: evictable)) }
    }

    /// Asks every registered holder to let go of what it can.
    func evict() {
        let holders = locked { evictables.compactMap(\.value) }
        for holder in holders { holder.evict() }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

/// Memory one consumer holds from a `MemoryBudget`. Freed when released or deinitialised.
/// Safe to use from several threads.
public final class MemoryReservation: @unchecked Sendable {
    public let consumer: String
    public let budget: MemoryBudget
    private var mutex = pthread_mutex_t()
    private var bytes = 0
    private var peakBytes = 0

    init(_ consumer: String, _ budget: MemoryBudget) {
        self.consumer = consumer
        self.budget = budget
        pthread_mutex_init(&mutex, nil)
    }

    deinit {
        budget.give(bytes)
        pthread_mutex_destroy(&mutex)
    }

    /// Bytes held now, and the most this consumer ever held.
    public var size: Int { locked { bytes } }
    public var peak: Int { locked { peakBytes } }

    /// Takes `extra` more bytes if the budget has them — asking waiting data (see
    /// `MemoryEvictable`) to spill first if it does not; false means spill, then try again.
    /// - Parameter evicting: false for a holder that is itself evictable.
    public func tryGrow(by extra: Int, evicting: Bool = true) -> Bool {
        guard extra > 0 else { return true }
        if take(extra) { return true }
        guard evicting else { return false }
        budget.evict()
        return take(extra)
    }

    private func take(_ extra: Int) -> Bool {
        locked {
            guard budget.tryTake(extra) else { return false }
            bytes += extra
            peakBytes = max(peakBytes, bytes)
            return true
        }
    }

    /// Takes `extra` more bytes, or fails with an error that names this consumer and the
    /// numbers: for memory an operator cannot do without (one group, the merge buffers).
    public func grow(by extra: Int, needing what: String) throws(BatonError) {
        guard !tryGrow(by: extra) else { return }
        throw MemoryReservation.limitError(consumer: consumer, needs: extra, what: what, budget: budget)
    }

    /// Resizes to exactly `target` bytes if the budget allows (shrinking always does).
    public func tryResize(to target: Int) -> Bool {
        let current = size
        if target <= current {
            shrink(by: current - target)
            return true
        }
        return tryGrow(by: target - current)
    }

    /// Gives `amount` bytes back (all of them at most).
    public func shrink(by amount: Int) {
        locked {
            let given = min(amount, bytes)
            bytes -= given
            budget.give(given)
        }
    }

    /// Gives everything back.
    public func free() { shrink(by: Int.max) }

    /// The error for memory that cannot be had even after spilling.
    /// - Parameter total: the consumer's estimate of all it needs, when it knows better than
    ///   what is in use plus `needs`.
    public static func limitError(consumer: String, needs: Int, what: String, budget: MemoryBudget, total: Int? = nil) -> BatonError {
        let limit = budget.limit ?? 0
        let enough = max(total ?? 0, budget.used + needs)
        return BatonError(.memoryLimit,
                          "\(consumer) needs \(ByteSize.text(needs)) more for \(what), but only \(ByteSize.text(max(0, limit - budget.used))) of the \(ByteSize.text(limit)) memory limit is free",
                          hint: "raise --memory-limit (to at least \(ByteSize.text(enough)))")
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

/// Data that is only waiting (a result held back for its turn) and can go to disk when
/// operators still at work need the memory.
public protocol MemoryEvictable: AnyObject, Sendable {
    /// Spills what it holds and shrinks its reservation; called from any thread, never while
    /// the budget's or a reservation's lock is held.
    func evict()
}

/// Byte sizes as people write them: `256MB`, `2GB`, `1.5GiB`, `512k`.
public enum ByteSize {
    /// Parses a size with an optional unit (B, KB/KiB/K, MB/MiB/M, GB/GiB/G, TB/TiB/T). Units
    /// are binary (1 KB = 1024 B), as in DuckDB's memory_limit.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces.lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let number = Double(digits), number >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kb", "kib": scale = 1024
        case "m", "mb", "mib": scale = 1024 * 1024
        case "g", "gb", "gib": scale = 1024 * 1024 * 1024
        case "t", "tb", "tib": scale = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        let bytes = number * scale
        guard bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }

    /// `12.5 MiB`, `300 KiB`, `17 B`.
    public static func text(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let rounded = value < 10 ? Double(Int(value * 10)) / 10 : value.rounded()
        let shown = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(shown) \(units[unit])"
    }
}

/// `--memory-limit`: a size, a percentage of physical memory, or `unlimited`.
public enum MemoryLimit {
    /// The default: 60% of physical memory.
    public static var defaultBytes: Int { physicalMemory / 10 * 6 }

    /// - Returns: the limit in bytes, nil for `unlimited`.
    /// - Throws: `.invalidInput` naming the text when it is none of these.
    public static func parse(_ text: String) throws(BatonError) -> Int? {
        let trimmed = text.trimmingSpaces.lowercased()
        if trimmed == "unlimited" || trimmed == "none" { return nil }
        if trimmed.hasSuffix("%") {
            if let percent = Double(trimmed.dropLast().trimmingSpaces), percent > 0, percent <= 100 {
                return Int(Double(physicalMemory) * percent / 100)
            }
        } else if let bytes = ByteSize.parse(trimmed), bytes > 0 {
            return bytes
        }
        throw BatonError(.invalidInput, "--memory-limit: not a size, a percentage or \"unlimited\"", at: .init(text: text),
                         hint: "write it like 2GB, 512MB, 50% or unlimited")
    }

    /// Bytes of RAM in this machine.
    public static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 8 << 30
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
