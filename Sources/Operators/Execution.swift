import Columns
import Spill
import Utilities
#if canImport(Glibc)
import Glibc
#endif

/// Where a batch came from, as a path of indices (source morsel, then the part of it an operator
/// split off, …). Ordering batches by it gives the order a one-thread run would produce, which
/// is how results stay independent of the thread count.
///
/// Every producer keeps one promise: batches whose ids differ only in the last index (one
/// `major` morsel, such as the batches of one `.baton` row group) are pushed one after another
/// by the same task, in the order of that index. Blocking operators rely on it to fold a whole
/// major morsel into one partial state without locks.
public struct MorselID: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var path: [Int]

    /// - Precondition: at least one index.
    public init(_ path: [Int]) {
        precondition(!path.isEmpty)
        self.path = path
    }

    /// The morsel this batch is a part of (all indices but the last).
    public var major: [Int] { Array(path.dropLast()) }

    /// The `index`th batch an operator made out of this one.
    public func child(_ index: Int) -> MorselID { MorselID(path + [index]) }

    public static func < (a: MorselID, b: MorselID) -> Bool { a.path.lexicographicallyPrecedes(b.path) }

    public var description: String { path.map(String.init).joined(separator: ".") }
}

/// Receives an operator's output batches, possibly from several threads at once.
public typealias Consumer = @Sendable (Batch, MorselID) throws(BatonError) -> Void

/// What every operator of one query shares: the thread budget, the memory budget and the
/// spill space, and the first failure; and, in the scope of a LIMIT, a request to stop reading.
public final class ExecutionContext: @unchecked Sendable {
    public let threads: Int
    /// Every buffering operator reserves from it before it buffers, and spills when refused.
    public let memory: MemoryBudget
    /// Where spill files go, under the disk cap.
    public let spill: SpillSpace
    private let failure: Locked<BatonError?>
    private let stop: Locked<Bool>?

    public init(threads: Int = defaultThreadCount, memory: MemoryBudget = .unlimited(), spill: SpillSpace = SpillSpace()) {
        self.threads = max(1, threads)
        self.memory = memory
        self.spill = spill
        failure = Locked(nil)
        stop = nil
    }

    private init(threads: Int, memory: MemoryBudget, spill: SpillSpace, failure: Locked<BatonError?>) {
        self.threads = threads
        self.memory = memory
        self.spill = spill
        self.failure = failure
        stop = Locked(false)
    }

    /// Whether some task already failed: others stop taking morsels.
    public var cancelled: Bool { failure.withLock { $0 != nil } }

    func fail(_ error: BatonError) { failure.withLock { if $0 == nil { $0 = error } } }

    /// A context for the input of a LIMIT: sources run under it stop taking new morsels once
    /// `requestStop()` is called. Morsels are taken in order, so what was read is always a
    /// prefix of the input: the first rows are exactly the ones a full read would give.
    public func stoppable() -> ExecutionContext { ExecutionContext(threads: threads, memory: memory, spill: spill, failure: failure) }

    public func requestStop() { stop?.withLock { $0 = true } }

    public var stopRequested: Bool { stop?.withLock { $0 } ?? false }

    /// Runs `body(i)` for `i in 0..<count` on up to `threads` threads, handing out indices in
    /// order (after a stop request, the rest are skipped). The first error (in index order, so
    /// the same one whatever the thread count) is thrown once all have stopped.
    public func parallel(_ count: Int, _ body: (Int) throws(BatonError) -> Void) throws(BatonError) {
        let results = parallelMap(count, threads: threads) { i -> BatonError? in
            if cancelled || stopRequested { return nil }
            do throws(BatonError) {
                try body(i)
                return nil
            } catch {
                fail(error)
                return error
            }
        }
        if let error = results.lazy.compactMap({ $0 }).first { throw error }
        if let failure = failure.withLock({ $0 }) { throw failure }
    }
}

/// Counters an operator keeps for `explain --analyze`: rows out, time spent in its own work
/// (summed over threads), the most memory it held, and what it spilled.
public final class OperatorMetrics: @unchecked Sendable {
    private let lock = Lock()
    public private(set) var rows = 0
    public private(set) var batches = 0
    private var inclusive: UInt64 = 0
    private var downstream: UInt64 = 0
    /// Time in this operator's own work: timed work minus the consumers' time inside it.
    public var nanoseconds: UInt64 { lock.withLock { inclusive &- min(inclusive, downstream) } }
    public private(set) var peakBytes = 0
    /// Rows and (compressed) bytes written to spill files, counted once per write: data
    /// spilled again by a deeper merge or repartition level counts again.
    public private(set) var spilledRows = 0
    public private(set) var spilledBytes = 0
    public private(set) var spillFiles = 0

    public init() {}

    public func produced(_ batch: Batch) { lock.withLock { rows += batch.count; batches += 1 } }
    public func addTime(_ ns: UInt64) { lock.withLock { inclusive &+= ns } }

    /// Counts `batch` and hands it to `consume` from inside `timed` work, keeping the
    /// consumer's time out of this operator's.
    public func handOver(_ batch: Batch, _ id: MorselID, to consume: Consumer) throws(BatonError) {
        produced(batch)
        let start = monotonicNanoseconds()
        defer {
            let spent = monotonicNanoseconds() &- start
            lock.withLock { downstream &+= spent }
        }
        try consume(batch, id)
    }
    public func held(_ bytes: Int) { lock.withLock { peakBytes = max(peakBytes, bytes) } }
    public func spilled(rows: Int, bytes: Int) { lock.withLock { spilledRows += rows; spilledBytes += bytes } }
    public func createdSpillFile() { lock.withLock { spillFiles += 1 } }

    /// Runs `body`, adding its duration to this operator's time.
    @inline(__always)
    public func timed<T>(_ body: () throws(BatonError) -> T) throws(BatonError) -> T {
        let start = monotonicNanoseconds()
        defer { addTime(monotonicNanoseconds() &- start) }
        return try body()
    }

    @inline(__always)
    public func timed<T>(_ body: () -> T) -> T {
        let start = monotonicNanoseconds()
        defer { addTime(monotonicNanoseconds() &- start) }
        return body()
    }
}

public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// A physical operator: an immutable description of its work that, when run, pushes its output
/// batches into a consumer. Streaming operators run inside their input's threads (a pipeline);
/// blocking ones collect their input, then emit.
public protocol ExecutionNode: AnyObject, Sendable {
    var schema: Schema { get }
    var children: [any ExecutionNode] { get }
    /// One line for `explain`: the operator and its arguments.
    var label: String { get }
    var metrics: OperatorMetrics { get }
    /// Whether `run` pushes its batches one at a time, from the thread that called it, in
    /// increasing `MorselID` order, after its whole input was read: then a consumer may stream
    /// them as they come, with no reordering buffer.
    var emitsInOrder: Bool { get }
    func run(_ context: ExecutionContext, _ consume: @escaping Consumer) throws(BatonError)
}

extension ExecutionNode {
    public var emitsInOrder: Bool { false }
}

extension ExecutionNode {
    /// Runs the node and keeps every batch, in morsel order.
    public func collect(_ context: ExecutionContext) throws(BatonError) -> Table {
        let parts = Locked<[(MorselID, Batch)]>([])
        try run(context) { batch, id throws(BatonError) in
            let dense = batch.compacted()
            parts.withLock { $0.append((id, dense)) }
        }
        let ordered = parts.withLock { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
        return Table(schema: schema, batches: ordered)
    }
}

/// Fully materialised rows: the output of a blocking operator and the input of the next.
public struct Table: Sendable {
    public let schema: Schema
    /// Dense batches (no selection), in order.
    public let batches: [Batch]

    public init(schema: Schema, batches: [Batch]) {
        self.schema = schema
        self.batches = batches.filter { $0.count > 0 }
    }

    public var rowCount: Int { batches.reduce(0) { $0 + $1.count } }

    /// One column over every batch.
    public func column(_ index: Int) -> Column {
        if batches.isEmpty { return Column.empty(schema.fields[index].type) }
        if batches.count == 1 { return batches[0].columns[index] }
        return Column.concatenate(batches.map { $0.columns[index] })
    }

    /// Every column concatenated.
    public var columns: [Column] { schema.fields.indices.map(column) }

    /// Approximate bytes held, for memory figures.
    public var byteCount: Int { batches.reduce(0) { total, batch in total + batch.columns.reduce(0) { $0 + $1.byteCount } } }

    /// The table re-cut into batches of at most `Batch.capacity` rows.
    public static func from(schema: Schema, columns: [Column]) -> Table {
        // Safe: callers build columns of one length matching the schema.
        Table(schema: schema, batches: (try? Batch.split(schema: schema, columns: columns)) ?? [])
    }
}

extension Column {
    /// Approximate bytes held.
    public var byteCount: Int {
        let values: Int = switch storage {
        case .int64(let v): v.count * 8
        case .int32(let v): v.count * 4
        case .float64(let v): v.count * 8
        case .bool(let v): v.count / 8
        case .string(let s): s.bytes.count + s.offsets.count * 4
        case .dictionary(let codes, let values): codes.count * 4 + values.bytes.count + values.offsets.count * 4
        }
        return values + (validity == nil ? 0 : count / 8)
    }
}

/// A pthread mutex; the engine's threads are the TaskPool's pthreads.
public final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    public init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    @inline(__always)
    public func withLock<T>(_ body: () throws(BatonError) -> T) throws(BatonError) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    @inline(__always)
    public func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

/// A value behind a lock.
public final class Locked<T>: @unchecked Sendable {
    private let lock = Lock()
    private var value: T
    public init(_ value: T) { self.value = value }
    public func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}
