import Foundation

/// Runs `operation`, failing with `ADBError.timeout(what)` after `duration`. The operation is
/// cancelled when time runs out, so it must honour cancellation.
///
/// The operation runs as one task watched by `DeadlineWatchdog`. A task group racing a sleeping
/// child would schedule, wake and cancel a second task, and arm a system timer, on every call:
/// on a small machine that is more than a tap's own round trip.
public func withTimeout<T: Sendable>(
    _ duration: Duration?, _ description: String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let duration else { return try await operation() }
    let task = Task { try await operation() }
    let watch = DeadlineWatchdog.shared.watch(after: duration) { task.cancel() }
    do {
        let value = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        DeadlineWatchdog.shared.disarm(watch)
        return value
    } catch {
        if !DeadlineWatchdog.shared.disarm(watch) { throw ADBError.timeout("\(description) (after \(duration))") }
        throw error
    }
}

/// One thread that runs an action when its deadline passes, unless it was disarmed first.
///
/// Arming and disarming take a lock and nothing else; the thread is woken only when a deadline
/// earlier than every other one is armed, and deadlines here are seconds away while the work they
/// guard mostly ends in milliseconds.
final class DeadlineWatchdog: @unchecked Sendable {
    static let shared = DeadlineWatchdog()

    struct Watch: Sendable { fileprivate let id: UInt64 }

    private let condition = NSCondition()
    private var actions: [UInt64: (deadline: ContinuousClock.Instant, fire: @Sendable () -> Void)] = [:]
    private var nextId: UInt64 = 0
    /// The deadline the thread sleeps until; nil while it has nothing to wait for.
    private var sleepingUntil: ContinuousClock.Instant?
    private var started = false

    /// Arms `action` to run `duration` from now on the watchdog's thread.
    func watch(after duration: Duration, _ action: @escaping @Sendable () -> Void) -> Watch {
        let deadline = ContinuousClock.now.advanced(by: duration)
        condition.lock()
        defer { condition.unlock() }
        nextId &+= 1
        actions[nextId] = (deadline, action)
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = "tether-deadlines"
            thread.start()
        } else if sleepingUntil.map({ deadline < $0 }) ?? true {
            condition.signal()
        }
        return Watch(id: nextId)
    }

    /// Disarms `watch`. False when its action already ran (the deadline passed).
    @discardableResult
    func disarm(_ watch: Watch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return actions.removeValue(forKey: watch.id) != nil
    }

    private func run() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            var due: [@Sendable () -> Void] = []
            var earliest: ContinuousClock.Instant?
            for (id, entry) in actions {
                if entry.deadline <= now {
                    due.append(entry.fire)
                    actions[id] = nil
                } else if earliest.map({ entry.deadline < $0 }) ?? true {
                    earliest = entry.deadline
                }
            }
            if !due.isEmpty {
                condition.unlock()
                for fire in due { fire() }
                condition.lock()
                continue
            }
            sleepingUntil = earliest
            if let earliest {
                // NSCondition waits on the wall clock, which NTP may step back: wait at most a
                // second at a time and look at the monotonic clock again.
                let seconds = Double((earliest - now).components.seconds) + Double((earliest - now).components.attoseconds) / 1e18
                _ = condition.wait(until: Date(timeIntervalSinceNow: min(seconds, 1)))
            } else {
                condition.wait()
            }
            sleepingUntil = nil
        }
    }
}
