import Foundation

/// Runs long synchronous work (seconds to minutes of BLAS calls) on a thread of its own while the
/// caller awaits. Swift's cooperative pool has one thread per core — two on a small box — and a
/// task that computes on one of them holds it the whole time, starving every other task (socket
/// reads, timers, the daemon's API) until it ends.
public enum ComputeThread {
    /// Runs `work` on a new thread and returns what it returns. Cancelling the awaiting task
    /// raises the flag that `work` receives (`Task.isCancelled` means nothing on that thread);
    /// `work` polls it and throws `CancellationError`.
    public static func run<T: Sendable>(
        _ work: @escaping @Sendable (_ isCancelled: @escaping @Sendable () -> Bool) throws -> T
    )
        async throws -> T
    {
        let flag = Locked(false)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                // Not named: swift-corelibs-foundation names a thread only now and then (a race).
                let thread = Thread {
                    continuation.resume(with: Result { try work({ flag.value }) })
                }
                thread.start()
            }
        } onCancel: {
            flag.set(true)
        }
    }
}
