import Foundation

extension Store {
    /// Hands `send` every event of `job` after `after`, in order, as they are committed, and
    /// returns once the job has ended and its last event was sent. Between events it sleeps on
    /// `changes` (no polling); `idle` runs when nothing happened for `keepAlive`.
    public func follow(
        _ job: String, after: Int64 = 0, keepAlive: Duration = .seconds(15),
        idle: () async throws -> Void = {},
        _ send: (JobEvent) async throws -> Void
    ) async throws {
        var last = after
        while !Task.isCancelled {
            let seen = changes.generation
            let events = try await events(of: job, after: last)
            for event in events {
                try await send(event)
                last = event.id ?? last
            }
            // The final status and its event are written in one transaction, so once the job is
            // final and a read after that finds nothing new, nothing will ever be added.
            if events.isEmpty {
                guard let record = try await self.job(job) else { return }
                if record.status.isFinal, try await self.events(of: job, after: last).isEmpty { return }
            }
            await changes.wait(past: seen, limit: keepAlive)
            if changes.generation == seen && !Task.isCancelled { try await idle() }
        }
    }
}
