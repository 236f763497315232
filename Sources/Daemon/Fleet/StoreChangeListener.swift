import Logging
import PostgresNIO
import ServiceLifecycle

/// Rings the store's bell when another host commits a change (PostgreSQL `LISTEN` on the
/// channel every write notifies), so that a job followed through this host but run by another
/// streams its events as they come. Reconnects after a lost connection, and rings then (what
/// was committed meanwhile is read again by the followers).
public struct StoreChangeListener: Service {
    let store: Store
    let logger: Logger

    public init(store: Store, logger: Logger = Logger(label: "tether.store.listen")) {
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        guard let postgres = store.database as? PostgresStoreDatabase else { return }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration: postgres.connections.configuration, id: 0, logger: logger)
                    store.changes.ring()
                    do {
                        try await connection.listen(on: PostgresStoreDatabase.changesChannel) { notifications in
                            for try await _ in notifications { store.changes.ring() }
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("lost the change notifications; reconnecting", metadata: ["error": "\(error)"]) }
                    }
                    try? await connection.close()
                } catch {
                    logger.warning("cannot listen for the store's changes; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
