import Basics
import Foundation

/// Rings after every committed change to the store, so that whoever follows a job (the events
/// WebSocket, the SSE stream, the CLI behind them) wakes when something happened instead of
/// polling. A follower notes `generation`, reads, then waits past it: a change committed between
/// its read and its wait has already moved the generation, so nothing is missed.
public final class ChangeBell: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Locked(State())

    public init() {}

    /// How many changes have been rung so far.
    public var generation: UInt64 { state.value.generation }

    /// Wakes every waiter.
    public func ring() {
        let woken = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once the generation has moved past `seen`, the task is cancelled, or `limit` has
    /// passed (so that a follower can send a keep-alive), whichever comes first.
    public func wait(past seen: UInt64, limit: Duration = .seconds(15)) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing(past: seen) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing(past seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
