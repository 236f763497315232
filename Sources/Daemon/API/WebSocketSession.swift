import HummingbirdWebSocket

/// Sending to a WebSocket client until `send` ends or the client closes, whichever is first:
/// the inbound stream is read (and dropped) so that a close from the client stops the sender.
enum WebSocketSession {
    static func send(
        reading inbound: WebSocketInboundStream,
        _ send: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await send() }
            group.addTask { for try await _ in inbound {} }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
