/// Runs `body`, then `cleanup` on every path — success, a thrown error or cancellation — and
/// awaits it: the async `defer` a test needs to stop a server or device it started.
public func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
