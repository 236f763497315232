import Foundation
import Hummingbird
import HummingbirdWebSocket

/// A job's events as they happen: the WebSocket `/v1/jobs/{id}/events` (JSON text frames) and
/// the Server-Sent Events stream `/v1/jobs/{id}/stream` (for clients without WebSockets: the
/// CLI, curl). Both start from the first event (or after `?after=N` / `Last-Event-ID`), push
/// each one as the store commits it, and end once the job has ended.
extension DaemonAPI {
    func addEventSocket(to router: Router<DaemonRequestContext>) {
        let store = self.store
        router.ws(
            "/v1/jobs/:id/events",
            shouldUpgrade: { _, context in
                _ = try await Self.job(try Self.parameter("id", context), in: store)
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                guard let id = context.requestContext.parameters.get("id") else { return }
                try await WebSocketSession.send(reading: inbound) {
                    try await store.follow(id) { event in try await outbound.write(.text(EventView.json(event))) }
                }
            })
        router.get("/v1/jobs/:id/stream") { request, context in
            let id = try Self.parameter("id", context)
            _ = try await Self.job(id, in: store)
            let lastEventID = request.headers.first { $0.name.canonicalName == "last-event-id" }?.value
            let resume = lastEventID ?? request.uri.queryParameters.get("after").map { String($0) } ?? "0"
            guard let after = Int64(resume), after >= 0 else {
                throw APIError.badRequest("after (or Last-Event-ID) must be an event id, a whole number ≥ 0, not \"\(resume)\"")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await store.follow(
                        id, after: after,
                        idle: { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) },
                        { event in try await writer.write(ByteBuffer(string: ServerSentEvent.encode(event))) })
                    try await writer.finish(nil)
                })
        }
    }
}

/// One job event in the `text/event-stream` format: `id`, `event` (its kind) and `data` (the
/// same JSON object the WebSocket sends, on one line).
enum ServerSentEvent {
    static func encode(_ event: JobEvent) -> String {
        let data = EventView.json(event).replacingOccurrences(of: "\n", with: " ")
        return "id: \(event.id ?? 0)\nevent: \(event.kind)\ndata: \(data)\n\n"
    }
}
