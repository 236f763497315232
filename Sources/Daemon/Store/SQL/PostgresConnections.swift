import Logging
import PostgresNIO

/// A few PostgreSQL connections, made when first needed and reused; a caller waits when all
/// are out. A connection that failed or closed is dropped, and the next caller makes a new one.
actor PostgresConnections {
    let configuration: PostgresConnection.Configuration
    let limit: Int
    let logger: Logger
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var made = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: PostgresConnection.Configuration, limit: Int, logger: Logger) {
        self.configuration = configuration
        self.limit = max(1, limit)
        self.logger = logger
    }

    /// Lends a connection to `body`; it comes back when `body` ends.
    nonisolated func with<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        do {
            let value = try await body(connection)
            await give(connection)
            return value
        } catch {
            // The store's own refusals and the server's answers leave the connection usable (a
            // closed one is dropped when next taken); anything else (a cancel mid-query) may not.
            await give(connection, broken: !(error is StoreError || error is SQLError))
            throw error
        }
    }

    private func take() async throws -> PostgresConnection {
        while true {
            if let connection = idle.popLast() {
                if !connection.isClosed { return connection }
                open -= 1
                continue
            }
            if open < limit {
                open += 1
                made += 1
                do {
                    // The future's form: a job ending under a cancel or a shutdown still records it.
                    return try await PostgresConnection.connect(
                        on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: made, logger: logger
                    ).get()
                } catch {
                    open -= 1
                    wakeOne()
                    throw StoreError("cannot connect to PostgreSQL at \(configuration.host ?? "?"):\(configuration.port ?? 5432): \(String(reflecting: error))")
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func give(_ connection: PostgresConnection, broken: Bool = false) async {
        if broken || connection.isClosed {
            open -= 1
            try? await connection.close()
        } else {
            idle.append(connection)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// A store dropped without `close()` (a test, a failed start) still closes its connections:
    /// each is kept until its channel has closed.
    deinit {
        for connection in idle {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    func closeAll() async {
        let all = idle
        idle = []
        open -= all.count
        for connection in all { try? await connection.close() }
    }
}
