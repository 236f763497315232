/// The two SQL dialects the store speaks. A query is written once, in the SQL both accept, with
/// `?` for each argument; the few places they differ are asked of the dialect.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// Appended to a `SELECT` that takes rows to change them: on PostgreSQL it locks them and
    /// skips rows another transaction holds; SQLite's one writer makes it unneeded.
    public var forUpdateSkipLocked: String { self == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }

    /// Appended to a `SELECT` whose rows the transaction goes on to change: on PostgreSQL the
    /// rows are locked until it ends, so a concurrent change waits instead of being lost.
    public var forUpdate: String { self == .postgres ? " FOR UPDATE" : "" }

    /// A schema statement's column types, written as `{key}`, `{text}`, `{int}`, `{bool}`,
    /// `{time}` and `{json}` in the migrations.
    func render(_ schema: String) -> String {
        let types: [(String, String)] =
            switch self {
            case .sqlite:
                [("{key}", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("{int}", "INTEGER"), ("{bool}", "BOOLEAN"), ("{time}", "DATETIME"), ("{json}", "TEXT"), ("{text}", "TEXT")]
            case .postgres:
                [("{key}", "BIGSERIAL PRIMARY KEY"), ("{int}", "BIGINT"), ("{bool}", "BOOLEAN"), ("{time}", "TIMESTAMPTZ"), ("{json}", "TEXT"), ("{text}", "TEXT")]
            }
        return types.reduce(schema) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}

/// One transaction's statements: they run in order and commit together, or not at all.
public protocol SQLSession {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) async throws -> Int
    /// Runs a query and returns its rows.
    func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow]
}

extension SQLSession {
    func queryOne(_ sql: String, _ arguments: [SQLValue]) async throws -> SQLRow? {
        try await query(sql, arguments).first
    }

    /// Serializes the transactions that name `lock` until they end (PostgreSQL: a transaction
    /// advisory lock). SQLite runs one writing transaction at a time already.
    func serialize(_ lock: StoreLock) async throws {
        guard dialect == .postgres else { return }
        try await query("SELECT pg_advisory_xact_lock(?)", [.integer(lock.rawValue)])
    }
}

/// A statement the database refused (a constraint, a syntax error, a lost connection), in its
/// own words: the store says which of its operations it was part of.
public struct SQLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The advisory locks the store takes, by number (one namespace per database).
public enum StoreLock: Int64, Sendable {
    /// Schema migrations: the first host to start runs them, the others wait.
    case migrations = 0x7465_7468_0001
    /// The queue's submission order (`job.seq`).
    case queueOrder = 0x7465_7468_0002
}

/// Where the store's rows live: a SQLite file (one host) or a PostgreSQL database (a fleet).
/// The store's queries are written once against this.
public protocol StoreDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// A human description (the file, or the server and database without the password).
    var location: String { get }
    /// Runs `body` in one writing transaction; any error rolls it back.
    func write<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T
    /// Runs `body` with reads only (a consistent snapshot where the database gives one).
    func read<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T
    /// Closes the connections; the database is not used afterwards.
    func close() async
}
