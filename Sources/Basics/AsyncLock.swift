/// A lock for async code: one holder at a time, waiters in order.
public actor AsyncLock {
    public init() {}

    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func lock() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func unlock() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }

    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await lock()
        do {
            let value = try await body()
            unlock()
            return value
        } catch {
            unlock()
            throw error
        }
    }
}
