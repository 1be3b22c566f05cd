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
