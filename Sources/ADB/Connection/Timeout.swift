/// Runs `operation`, failing with `ADBError.timeout(what)` after `duration`. The operation is
/// cancelled when time runs out, so it must honour cancellation.
public func withTimeout<T: Sendable>(
    _ duration: Duration?, _ description: String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let duration else { return try await operation() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw ADBError.timeout("\(description) (after \(duration))")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
