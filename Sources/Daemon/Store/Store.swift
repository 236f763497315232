import Basics
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's state: jobs and their events, questions, devices, hosts, the episode index. By
/// default one SQLite file (`<state>/store.sqlite`, WAL) for one host; with `--store
/// postgres://…` a PostgreSQL database that several hosts share. Every change is a transaction,
/// so a process killed at any point leaves the store as it was before or after the change,
/// never between. Every query is written once, against `StoreDatabase`.
public final class Store: Sendable {
    /// The state directory: episodes, the secret key and (with SQLite) the store's file.
    public let directory: URL
    public let database: any StoreDatabase
    /// Rung after every committed write (with PostgreSQL, also after other hosts' writes):
    /// followers of a job wait on it instead of polling.
    public let changes = ChangeBell()
    /// Seals the secrets jobs carry (API keys) before they are stored.
    public let secrets: SecretBox

    /// Opens (creating if needed) the SQLite store in `directory` and brings its schema up to date.
    public init(directory: URL) throws(StoreError) {
        try StateDirectory.create(directory)
        self.directory = directory
        secrets = try SecretBox(directory: directory)
        let url = directory.appendingPathComponent("store.sqlite")
        do {
            let sqlite = try SQLiteStoreDatabase(url: url)
            // Two processes opening one state directory at once migrate in turn (flock, dropped
            // by the kernel should the process die).
            let lock = Glibc.open(directory.appendingPathComponent("store.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            defer { if lock >= 0 { Glibc.close(lock) } }
            if lock >= 0 { flock(lock, LOCK_EX) }
            try Migrations.sqlite.migrate(sqlite.pool)
            database = sqlite
        } catch {
            throw StoreError("cannot open the store \(url.path): \(error); move it aside to start with an empty one")
        }
    }

    init(directory: URL, database: any StoreDatabase) throws(StoreError) {
        try StateDirectory.create(directory)
        self.directory = directory
        self.database = database
        secrets = try SecretBox(directory: directory)
    }

    /// Opens the store `location` names: nil or a path-free "sqlite" is the SQLite file in
    /// `directory`; `postgres://…` a PostgreSQL database, migrated first.
    public static func open(directory: URL, location: String?) async throws(StoreError) -> Store {
        guard let location, location != "sqlite" else { return try Store(directory: directory) }
        let postgres = try PostgresStoreDatabase(url: location)
        do { try await Migrations.migrate(postgres) } catch {
            await postgres.close()
            throw StoreError("cannot prepare the store \(postgres.location): \(Self.describe(error))")
        }
        return try Store(directory: directory, database: postgres)
    }

    /// The SQLite file, when the store is one.
    public var url: URL? { (database as? SQLiteStoreDatabase)?.url }

    /// One writing transaction; the bell rings after it commits.
    func write<T: Sendable>(_ what: String, _ body: (any SQLSession) async throws -> T) async throws(StoreError) -> T {
        do {
            let value = try await database.write(body)
            changes.ring()
            return value
        } catch {
            throw Self.failure(what, error)
        }
    }

    func read<T: Sendable>(_ what: String, _ body: (any SQLSession) async throws -> T) async throws(StoreError) -> T {
        do { return try await database.read(body) } catch { throw Self.failure(what, error) }
    }

    static func failure(_ what: String, _ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return StoreError("cannot \(what): \(describe(error))")
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? StoreError { return error.message }
        return String(describing: error)
    }

    /// The journal mode SQLite reports (`wal` once opened); nil for PostgreSQL, which has none.
    public func journalMode() async throws(StoreError) -> String? {
        guard database.dialect == .sqlite else { return nil }
        return try await read("read the journal mode") { sql in try await sql.queryOne("PRAGMA journal_mode", [])?.string("journal_mode") ?? "" }
    }
}
