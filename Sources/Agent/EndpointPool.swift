import Basics
import Foundation

/// Several OpenAI-compatible servers that serve one model name (a vLLM or SGLang pool, Tether's
/// own endpoint on a few big machines). Requests go round robin to the servers not backing off;
/// a server that answers 429 or 503, or does not answer, backs off (its `Retry-After`, else 1 s
/// doubling to 60 s), and a health check that reaches it again ends that. When all back off, a
/// request waits for the first to come back. One pool is shared by every job of a daemon.
public final class EndpointPool: Sendable, Equatable {
    public let model: String
    public let endpoints: [String]

    struct Health: Sendable {
        var until: ContinuousClock.Instant?
        var failures = 0
        var lastError: String?
    }

    private struct State {
        var next = 0
        var health: [Health]
    }

    private let state: Locked<State>

    /// One pool is one object: two pools are equal when they are the same.
    public static func == (a: EndpointPool, b: EndpointPool) -> Bool { a === b }

    public init(model: String, endpoints: [String]) {
        self.model = model
        self.endpoints = endpoints
        state = Locked(State(health: Array(repeating: Health(), count: endpoints.count)))
    }

    /// The server for the next request. Waits (cancellably) while every server backs off.
    public func take() async throws -> String {
        while true {
            try Task.checkCancellation()
            let now = ContinuousClock.now
            let choice: (url: String?, wait: Duration) = state.withLock { state in
                for offset in 0..<endpoints.count {
                    let i = (state.next + offset) % endpoints.count
                    if let until = state.health[i].until, until > now { continue }
                    state.next = (i + 1) % endpoints.count
                    return (endpoints[i], .zero)
                }
                let soonest = state.health.compactMap(\.until).min() ?? now
                return (nil, max(.milliseconds(10), soonest - now))
            }
            if let url = choice.url { return url }
            try await Task.sleep(for: min(choice.wait, .seconds(1)))
        }
    }

    /// `url` answered: it is healthy.
    public func succeeded(_ url: String) {
        update(url) { health in
            health = Health()
        }
    }

    /// `url` was overloaded or unreachable: it backs off for `retryAfter`, or for 1 s doubling
    /// with each failure in a row (60 s at most).
    public func failed(_ url: String, retryAfter: Duration? = nil, reason: String) {
        update(url) { health in
            health.failures += 1
            let backoff = retryAfter ?? .seconds(min(60, 1 << min(health.failures - 1, 6)))
            health.until = .now + backoff
            health.lastError = reason
        }
    }

    /// What the last health check found: a server that answered no longer backs off.
    public func checked(_ url: String, healthy: Bool, reason: String? = nil) {
        if healthy {
            update(url) { health in if health.until != nil { health = Health() } }
        } else {
            failed(url, reason: reason ?? "the health check failed")
        }
    }

    /// Each server and whether it takes requests now, for the API and metrics.
    public struct Status: Sendable, Encodable, Equatable {
        public var url: String
        public var healthy: Bool
        public var failures: Int
        public var error: String?
    }

    public var status: [Status] {
        let now = ContinuousClock.now
        return state.withLock { state in
            endpoints.indices.map { i in
                let h = state.health[i]
                return Status(url: endpoints[i], healthy: (h.until.map { $0 <= now } ?? true), failures: h.failures, error: h.lastError)
            }
        }
    }

    private func update(_ url: String, _ change: (inout Health) -> Void) {
        guard let i = endpoints.firstIndex(of: url) else { return }
        state.withLock { change(&$0.health[i]) }
    }
}
