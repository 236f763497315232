import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `/v1/jobs/{id}/events`: a WebSocket that sends the job's events (every step and status
/// change, as JSON text frames) from the first, and closes once the job has ended.
extension DaemonAPI {
    func addEventSocket(to router: Router<DaemonRequestContext>) {
        let store = self.store
        router.ws(
            "/v1/jobs/:id/events",
            shouldUpgrade: { _, context in
                _ = try Self.job(try Self.parameter("id", context), in: store)
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                guard let id = context.requestContext.parameters.get("id") else { return }
                try await WebSocketSession.send(reading: inbound) {
                    var last: Int64 = 0
                    while !Task.isCancelled {
                        let events = (try? store.events(of: id, after: last)) ?? []
                        for event in events {
                            try await outbound.write(.text(EventView.json(event)))
                            last = event.id ?? last
                        }
                        if events.isEmpty, let job = try? store.job(id), job.status.isFinal {
                            // Nothing after the final status is ever added.
                            if (try? store.events(of: id, after: last))?.isEmpty ?? true { break }
                        }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            })
    }
}
