import TetherTestSupport
import Testing

@testable import Daemon

/// The store's bell: a waiter wakes on a ring, never misses one rung before it slept, and a
/// cancelled waiter returns.
struct ChangeBellTests {
    @Test(.timeLimit(.minutes(1))) func aRingWakesAWaiter() async {
        let bell = ChangeBell()
        let seen = bell.generation
        await withTaskGroup(of: Void.self) { group in
            // The limit is far beyond the test's life: only the ring can end the wait.
            group.addTask { await bell.wait(past: seen, limit: .seconds(3600)) }
            group.addTask {
                while bell.generation == seen {
                    bell.ring()
                    await Task.yield()
                }
            }
            await group.waitForAll()
        }
        #expect(bell.generation > seen)
    }

    @Test(.timeLimit(.minutes(1))) func aRingBeforeTheWaitIsNotMissed() async {
        let bell = ChangeBell()
        let seen = bell.generation
        bell.ring()
        await bell.wait(past: seen, limit: .seconds(3600))
        #expect(bell.generation == seen + 1)
    }

    /// Without the cancellation handler the wait would last its hour: the time limit fails it.
    @Test(.timeLimit(.minutes(1))) func aCancelledWaiterReturns() async {
        let bell = ChangeBell()
        let waiter = Task { await bell.wait(past: bell.generation, limit: .seconds(3600)) }
        waiter.cancel()
        await waiter.value
        #expect(bell.generation == 0)
    }

    @Test func theStoreRingsOnEveryCommittedWrite() async throws {
        let scratch = TemporaryDirectory()
        let store = try Store(directory: scratch.url)
        let before = store.changes.generation
        let job = try await store.enqueue(kind: "run", spec: "{}")
        try await store.append(event: "note", payload: ["n": 1], to: job.id)
        #expect(store.changes.generation == before + 2)
        // A write that fails commits nothing and rings nothing.
        await #expect(throws: StoreError.self) { try await store.append(event: "note", payload: [:], to: "no-such-job") }
        #expect(store.changes.generation == before + 2)
    }
}
