import Basics
import Testing
import TetherTestSupport
@testable import Daemon

/// The engine's line: one holder, waiters in arrival order, a bound, and leaving on cancellation.
@Suite struct ModelServerQueueTests {
    @Test func waitersTakeTheirTurnInArrivalOrder() async throws {
        let queue = GenerationQueue(limit: 2)
        let first = try queue.admit()
        let second = try queue.admit()
        let third = try queue.admit()
        #expect(throws: GenerationQueue.Full.self) { try queue.admit() }
        let agent = try queue.admit(bounded: false)  // an agent's request is never refused
        #expect(queue.waiting == 3)

        let order = Locked<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, ticket) in [(3, third), (2, second)] {
                group.addTask {
                    try await queue.wait(ticket)
                    order.withLock { $0.append(n) }
                    ticket.release()
                }
            }
            try await queue.wait(first)  // the holder has its turn at once
            #expect(order.value.isEmpty)
            first.release()
            try await group.waitForAll()
        }
        #expect(order.value == [2, 3])
        try await queue.wait(agent)
        agent.release()
        #expect(!queue.isBusy)
    }

    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let queue = GenerationQueue(limit: 1)
        let holder = try queue.admit()
        let waiter = try queue.admit()
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await queue.wait(waiter)
                    return false
                } catch {
                    return error is CancellationError
                }
            }
            group.cancelAll()
            #expect(await group.next() == true)
        }
        #expect(queue.waiting == 0, "a place for the next request")
        let next = try queue.admit()
        holder.release()
        try await queue.wait(next)
        #expect(queue.isBusy)
        next.release()
        #expect(!queue.isBusy)
    }

    @Test func aDroppedTicketGivesItsPlaceBack() throws {
        let queue = GenerationQueue(limit: 0)
        do {
            let ticket = try queue.admit()
            #expect(queue.isBusy && ticket.id > 0)
        }
        #expect(!queue.isBusy, "a request that never ran does not keep the engine")
        _ = try queue.admit()
    }
}
