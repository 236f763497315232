import Basics
import Foundation
import GRDB

/// The daemon's state in one SQLite file (`<state>/store.sqlite`, WAL): jobs and their events,
/// questions, devices, the episode index. Every change is a transaction, so a process killed at
/// any point leaves the store as it was before or after the change, never between.
public final class Store: Sendable {
    public let url: URL
    let pool: DatabasePool
    /// Rung after every committed write: followers of a job wait on it instead of polling.
    public let changes = ChangeBell()
    /// Seals the secrets jobs carry (API keys) before they are stored.
    public let secrets: SecretBox

    /// Opens (creating if needed) the store in `directory` and brings its schema up to date.
    public init(directory: URL) throws(StoreError) {
        try StateDirectory.create(directory)
        url = directory.appendingPathComponent("store.sqlite")
        secrets = try SecretBox(directory: directory)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: url.path, configuration: configuration)
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError("cannot open the store \(url.path): \(error); move it aside to start with an empty one")
        }
    }

    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            let value = try pool.write(body)
            changes.ring()
            return value
        } catch let error as StoreError { throw error } catch {
            throw StoreError("cannot \(what): \(error)")
        }
    }

    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch { throw StoreError("cannot \(what): \(error)") }
    }

    /// The journal mode SQLite reports (`wal` once opened).
    public func journalMode() throws(StoreError) -> String {
        try read("read the journal mode") { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
