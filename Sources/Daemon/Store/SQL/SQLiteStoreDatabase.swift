import Basics
import Foundation
import GRDB

/// The store in one SQLite file (WAL) through GRDB: the default, one host. A writing
/// transaction holds the file's one writer from `BEGIN IMMEDIATE` to `COMMIT`; the async lock
/// keeps a second transaction of this process from interleaving its statements with the first's.
public final class SQLiteStoreDatabase: StoreDatabase {
    public let dialect = SQLDialect.sqlite
    public let url: URL
    let pool: DatabasePool
    private let writer = AsyncLock()

    public var location: String { url.path }

    public init(url: URL) throws {
        self.url = url
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // A transaction spans several accesses (its statements are awaited one by one).
        configuration.allowsUnsafeTransactions = true
        pool = try DatabasePool(path: url.path, configuration: configuration)
    }

    public func write<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T {
        await writer.lock()
        do {
            try Self.writer(pool) { try $0.execute(sql: "BEGIN IMMEDIATE") }
            let value = try await body(Session(pool: pool, writing: true))
            try Self.writer(pool) { try $0.execute(sql: "COMMIT") }
            await writer.unlock()
            return value
        } catch {
            try? Self.writer(pool) { db in
                if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            }
            await writer.unlock()
            throw error
        }
    }

    public func read<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T {
        try await body(Session(pool: pool, writing: false))
    }

    public func close() async { try? pool.close() }

    /// GRDB's blocking accesses, on purpose: its async ones throw once the task is cancelled,
    /// and a job stopped by a cancel or a shutdown must still record how it ended. Each access
    /// is one short statement.
    static func writer<T>(_ pool: DatabasePool, _ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction(body)
    }

    static func reader<T>(_ pool: DatabasePool, _ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    struct Session: SQLSession {
        let pool: DatabasePool
        let writing: Bool
        var dialect: SQLDialect { .sqlite }

        func execute(_ sql: String, _ arguments: [SQLValue]) async throws -> Int {
            let bound = Self.arguments(arguments)
            return try SQLiteStoreDatabase.writer(pool) { db in
                try db.execute(sql: sql, arguments: bound)
                return db.changesCount
            }
        }

        func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
            let bound = Self.arguments(arguments)
            let fetch = { (db: Database) in try Row.fetchAll(db, sql: sql, arguments: bound).map(Self.row) }
            return try writing ? SQLiteStoreDatabase.writer(pool, fetch) : SQLiteStoreDatabase.reader(pool, fetch)
        }

        static func arguments(_ values: [SQLValue]) -> StatementArguments {
            StatementArguments(
                values.map { value -> DatabaseValue in
                    switch value {
                    case .null: .null
                    case .integer(let number): number.databaseValue
                    case .real(let number): number.databaseValue
                    case .text(let text): text.databaseValue
                    case .bool(let flag): flag.databaseValue
                    case .date(let date): SQLDates.text(date).databaseValue
                    }
                })
        }

        static func row(_ row: Row) -> SQLRow {
            var values: [String: SQLValue] = [:]
            for (column, value) in row {
                values[column] =
                    switch value.storage {
                    case .null: .null
                    case .int64(let number): .integer(number)
                    case .double(let number): .real(number)
                    case .string(let text): .text(text)
                    case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                    }
            }
            return SQLRow(values)
        }
    }
}
