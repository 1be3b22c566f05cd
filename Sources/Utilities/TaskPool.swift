#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pool of worker threads that every layer submits its parallel work to, so that work from
/// different stages (parsing the next block, encoding the last row group) shares the cores
/// instead of oversubscribing them.
///
/// A thread waiting for a group runs that group's queued tasks itself meanwhile ("help while
/// waiting"), and only those: so a wait never deadlocks (its own tasks can always run), nested
/// waits do not stack unrelated tasks on one thread's stack, and a producer waiting for its
/// parse tasks is not held up by another stage's long encode task. Workers take any task, in
/// submission order. The shared pool has one worker fewer than there are cores, since a
/// waiting thread makes up the last (measured: a worker per core, i.e. three busy threads on two
/// cores, parsed 10% slower).
public final class TaskPool: @unchecked Sendable {
    public static let shared = TaskPool(workers: max(1, defaultThreadCount - 1))

    private struct Entry {
        let owner: ObjectIdentifier
        let run: () -> Void
    }

    // Everything below is guarded by `mutex`.
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    /// Queued tasks; taken entries become nil, and `head` skips them.
    private var entries: [Entry?] = []
    private var head = 0

    public init(workers: Int) {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        for _ in 0..<max(1, workers) {
            let box = Unmanaged.passRetained(self)
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { argument in
                let pool = Unmanaged<TaskPool>.fromOpaque(argument!).takeRetainedValue()
                pool.workLoop()
                return nil
            }, box.toOpaque())
            if started == 0 { pthread_detach(thread) } else { box.release() }
        }
    }

    /// Queues `task` on behalf of `owner` (whose waiter may run it).
    func submit(owner: ObjectIdentifier, _ task: @escaping () -> Void) {
        pthread_mutex_lock(&mutex)
        entries.append(Entry(owner: owner, run: task))
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
    }

    /// Runs `owner`'s queued tasks until `done()` holds, sleeping when none is queued.
    /// `done` is evaluated under the pool's lock; progress is signalled through `completed`.
    func help(owner: ObjectIdentifier, until done: () -> Bool) {
        pthread_mutex_lock(&mutex)
        while !done() {
            if let task = takeLocked(owner: owner) {
                pthread_mutex_unlock(&mutex)
                task()
                pthread_mutex_lock(&mutex)
            } else {
                pthread_cond_wait(&wake, &mutex)
            }
        }
        pthread_mutex_unlock(&mutex)
    }

    /// Applies `update` under the pool's lock and wakes the waiters to re-check.
    func completed(_ update: () -> Void) {
        pthread_mutex_lock(&mutex)
        update()
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
    }

    /// The first queued task (of `owner`, if given), removed from the queue.
    private func takeLocked(owner: ObjectIdentifier? = nil) -> (() -> Void)? {
        var i = head
        while i < entries.count {
            if let entry = entries[i], owner == nil || entry.owner == owner {
                entries[i] = nil  // also releases what the task captured once it has run
                while head < entries.count && entries[head] == nil { head += 1 }
                if head > 1024 && head * 2 > entries.count {
                    entries.removeFirst(head)
                    head = 0
                }
                return entry.run
            }
            i += 1
        }
        return nil
    }

    private func workLoop() {
        pthread_mutex_lock(&mutex)
        while true {
            if let task = takeLocked() {
                pthread_mutex_unlock(&mutex)
                task()
                pthread_mutex_lock(&mutex)
            } else {
                pthread_cond_wait(&wake, &mutex)
            }
        }
    }
}

/// Tasks submitted together to the pool, their results collected by index.
public final class TaskGroup<T>: @unchecked Sendable {
    private let pool: TaskPool
    private let buffer: UnsafeMutableBufferPointer<T?>
    // Guarded by the pool's lock (through `completed`).
    private var remaining: Int
    /// Dropped by `wait()`, so that nothing keeps the body alive once every task has run
    /// (`parallelMap` passes a closure that must not escape).
    private var body: ((Int) -> T)?

    /// Submits `body(i)` for `i` in `0..<count`.
    public init(_ count: Int, pool: TaskPool = .shared, _ body: @escaping @Sendable (Int) -> T) {
        self.pool = pool
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
        remaining = count
        self.body = body
        let owner = ObjectIdentifier(self)
        for i in 0..<count {
            pool.submit(owner: owner) { [self] in
                let value = self.body!(i)
                buffer[i] = value
                pool.completed { remaining -= 1 }
            }
        }
    }

    deinit { buffer.deinitialize().deallocate() }

    /// Waits for every task, running this group's queued tasks meanwhile, and returns the
    /// results in order.
    public func wait() -> [T] {
        pool.help(owner: ObjectIdentifier(self)) { remaining == 0 }
        body = nil
        return buffer.map { $0! }
    }
}
