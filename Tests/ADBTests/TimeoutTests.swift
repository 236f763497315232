import Foundation
import Testing
@testable import ADB

@Suite struct TimeoutTests {
    @Test func aQuickOperationReturnsItsValue() async throws {
        for i in 0..<200 {
            #expect(try await withTimeout(.seconds(30), "quick") { i * 2 } == i * 2)
        }
    }

    @Test func aSlowOperationTimesOutAndIsCancelled() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let cancelled = LockedCounter()
        do {
            _ = try await withTimeout(.milliseconds(150), "the slow thing") {
                do { try await Task.sleep(for: .seconds(30)) } catch {
                    cancelled.increment()
                    throw error
                }
            }
            Issue.record("expected a timeout")
        } catch ADBError.timeout(let message) {
            #expect(message.contains("the slow thing"))
        }
        #expect(clock.now - start < .seconds(5))
        #expect(cancelled.value == 1)
    }

    /// A short deadline armed while a long one is pending still fires on time: the watchdog is
    /// woken for a deadline earlier than the one it sleeps until.
    @Test func anEarlierDeadlineArmedLaterFiresOnTime() async throws {
        let long = Task { try await withTimeout(.seconds(20), "long") { try await Task.sleep(for: .seconds(3)) } }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: ADBError.self) {
            try await withTimeout(.milliseconds(100), "short") { try await Task.sleep(for: .seconds(30)) }
        }
        #expect(clock.now - start < .seconds(2))
        long.cancel()
        _ = try? await long.value
    }

    /// The caller's own cancellation is a cancellation, not a timeout.
    @Test func cancellingTheCallerIsNotATimeout() async throws {
        let waiting = Task { try await withTimeout(.seconds(30), "waiting") { try await Task.sleep(for: .seconds(30)) } }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        do {
            try await waiting.value
            Issue.record("expected cancellation")
        } catch {
            #expect(error is CancellationError)
        }
    }

    /// An operation's own error comes through unchanged, and its disarmed deadline never fires.
    @Test func anOperationsErrorIsKept() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await withTimeout(.milliseconds(100), "boom") { throw Boom() } }
        try await Task.sleep(for: .milliseconds(200))
    }
}
