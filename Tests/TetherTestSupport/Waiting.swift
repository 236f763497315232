/// Waits (polling every 20 ms) until `condition` holds or `timeout` passes; the condition's last
/// answer. For state another thread or process changes; never a measure of speed.
public func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
