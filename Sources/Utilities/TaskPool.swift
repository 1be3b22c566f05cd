#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pool of worker threads that every layer submits its parallel work to, so that work from
/// different stages shares the cores instead of oversubscribing them.
///
/// A thread waiting for its tasks runs queued tasks itself meanwhile ("help while waiting"),
/// so nested and concurrent waits never deadlock and the waiting thread is never idle while
/// there is work. The shared pool has one worker fewer than there are cores, since the waiting
/// thread makes up the last (measured: with a worker per core, three threads on two cores
/// parsed 10% slower). Tasks run in submission order (FIFO).
public final class TaskPool: @unchecked Sendable {
    public static let shared = TaskPool(workers: max(1, defaultThreadCount - 1))

    // Everything below is guarded by `mutex`.
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var tasks: [() -> Void] = []
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

    /// Queues `task` to run on some thread of the pool.
    public func submit(_ task: @escaping () -> Void) {
        pthread_mutex_lock(&mutex)
        tasks.append(task)
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
    }

    /// Runs queued tasks until `done()` holds, sleeping only when the queue is empty.
    /// `done` is evaluated under the pool's lock; callers signal progress via `completed()`.
    public func help(until done: () -> Bool) {
        pthread_mutex_lock(&mutex)
        while !done() {
            if let task = popLocked() {
                pthread_mutex_unlock(&mutex)
                task()
                pthread_mutex_lock(&mutex)
            } else {
                pthread_cond_wait(&wake, &mutex)
            }
        }
        pthread_mutex_unlock(&mutex)
    }

    /// Wakes the threads waiting in `help` to re-check their condition.
    public func completed(_ update: () -> Void) {
        pthread_mutex_lock(&mutex)
        update()
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
    }

    private func popLocked() -> (() -> Void)? {
        guard head < tasks.count else { return nil }
        let task = tasks[head]
        tasks[head] = {}  // release what the task captured as soon as it has run
        head += 1
        if head > 1024 && head * 2 > tasks.count {
            tasks.removeFirst(head)
            head = 0
        }
        return task
    }

    private func workLoop() {
        pthread_mutex_lock(&mutex)
        while true {
            if let task = popLocked() {
                pthread_mutex_unlock(&mutex)
                task()
                pthread_mutex_lock(&mutex)
            } else {
                pthread_cond_wait(&wake, &mutex)
            }
        }
    }
}

/// Results of a batch of tasks submitted to the pool, collected by index.
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
        for i in 0..<count {
            pool.submit { [self] in
                let value = self.body!(i)
                buffer[i] = value
                pool.completed { remaining -= 1 }
            }
        }
    }

    deinit { buffer.deinitialize().deallocate() }

    /// Waits for every task, running queued work meanwhile, and returns the results in order.
    public func wait() -> [T] {
        pool.help { remaining == 0 }
        body = nil
        return buffer.map { $0! }
    }
}
