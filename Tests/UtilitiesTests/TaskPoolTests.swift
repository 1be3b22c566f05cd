import Testing
import Utilities

@Suite struct TaskPoolTests {
    @Test func resultsComeBackInIndexOrder() {
        let squares = parallelMap(1000, threads: 4) { $0 * $0 }
        #expect(squares == (0..<1000).map { $0 * $0 })
    }

    @Test func oneThreadRunsOnTheCaller() {
        var order: [Int] = []
        let result = parallelMap(5, threads: 1) { i -> Int in
            order.append(i)  // a non-Sendable capture is fine on the calling thread
            return i
        }
        #expect(order == [0, 1, 2, 3, 4])
        #expect(result == [0, 1, 2, 3, 4])
    }

    /// A task that itself waits for tasks helps run them instead of deadlocking the pool.
    @Test func nestedMapsDoNotDeadlock() {
        let sums = parallelMap(16, threads: 4) { i in
            parallelMap(64, threads: 4) { j in i * 64 + j }.reduce(0, +)
        }
        #expect(sums == (0..<16).map { i in (0..<64).reduce(0) { $0 + i * 64 + $1 } })
    }

    @Test func groupsFromSeveralCallersShareThePool() {
        let a = TaskGroup(200) { $0 + 1 }
        let b = TaskGroup(200) { $0 * 2 }
        #expect(b.wait() == (0..<200).map { $0 * 2 })
        #expect(a.wait() == (1...200).map { $0 })
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite struct TaskPoolLimitTests {
    /// Thousands of outer tasks each waiting on an inner map: a waiting thread runs only its own
    /// group's tasks, so waits do not pile up on one thread's stack.
    @Test func deepNestingNeitherDeadlocksNorOverflows() {
        let sums = parallelMap(3000, threads: 8) { i in parallelMap(4, threads: 4) { i + $0 }.reduce(0, +) }
        #expect(sums == (0..<3000).map { 4 * $0 + 6 })
    }

    /// `threads` bounds how many calls run at once.
    @Test func threadsBoundsConcurrency() {
        final class Gauge: @unchecked Sendable {
            var mutex = pthread_mutex_t()
            var running = 0, peak = 0
            init() { pthread_mutex_init(&mutex, nil) }
            func enter() { pthread_mutex_lock(&mutex); running += 1; peak = max(peak, running); pthread_mutex_unlock(&mutex) }
            func leave() { pthread_mutex_lock(&mutex); running -= 1; pthread_mutex_unlock(&mutex) }
        }
        let gauge = Gauge()
        let out = parallelMap(40, threads: 2) { i -> Int in
            gauge.enter()
            usleep(2000)
            gauge.leave()
            return i
        }
        #expect(out == Array(0..<40))
        #expect(gauge.peak <= 2)
    }
}
