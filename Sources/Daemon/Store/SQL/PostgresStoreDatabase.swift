import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The store in a PostgreSQL database, shared by the hosts of a fleet (`--store postgres://…`).
/// Statements are the store's own SQL with `?` turned into `$1, $2, …`; connections come from a
/// small pool and a broken one is dropped, not reused.
public final class PostgresStoreDatabase: StoreDatabase {
    public let dialect = SQLDialect.postgres
    public let location: String
    let connections: PostgresConnections
    let logger: Logger

    /// `url` is `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`.
    public init(url: String, maxConnections: Int = 8, logger: Logger = Logger(label: "tether.store.postgres")) throws(StoreError) {
        let target = try PostgresTarget(url: url)
        location = target.description
        self.logger = logger
        connections = PostgresConnections(configuration: target.configuration, limit: maxConnections, logger: logger)
    }

    public func write<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T {
        try await connections.with { connection in
            let session = Session(connection: connection, logger: logger)
            try await session.execute("BEGIN", [])
            do {
                let value = try await body(session)
                // Followers on every host wake at the commit (see `StoreChangeListener`).
                try await session.query("SELECT pg_notify(?, '')", [.text(PostgresStoreDatabase.changesChannel)])
                try await session.execute("COMMIT", [])
                return value
            } catch {
                _ = try? await session.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    public func read<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T {
        try await connections.with { connection in try await body(Session(connection: connection, logger: logger)) }
    }

    public func close() async { await connections.closeAll() }

    /// The channel every committed write notifies.
    static let changesChannel = "tether_changes"

    struct Session: SQLSession {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: SQLDialect { .postgres }

        @discardableResult
        func execute(_ sql: String, _ arguments: [SQLValue]) async throws -> Int {
            try await run(sql, arguments).metadata.rows ?? 0
        }

        func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
            try await run(sql, arguments).rows.map(Self.row)
        }

        func run(_ sql: String, _ arguments: [SQLValue]) async throws -> PostgresQueryResult {
            var binds = PostgresBindings(capacity: arguments.count)
            for argument in arguments {
                switch argument {
                case .null: binds.appendNull()
                case .integer(let number): binds.append(number)
                case .real(let number): binds.append(number)
                case .text(let text): binds.append(text)
                case .bool(let flag): binds.append(flag)
                case .date(let date): binds.append(date)
                }
            }
            let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds)
            do {
                return try await connection.query(query, logger: logger).get()
            } catch let error as PSQLError {
                throw SQLError(message: Self.explain(error))
            }
        }

        /// `?` placeholders as PostgreSQL's `$1, $2, …` (the store's SQL has no `?` in quotes).
        static func numbered(_ sql: String) -> String {
            var out = "", n = 0, quoted = false
            for character in sql {
                if character == "'" { quoted.toggle() }
                if character == "?" && !quoted {
                    n += 1
                    out += "$\(n)"
                } else {
                    out.append(character)
                }
            }
            return out
        }

        static func explain(_ error: PSQLError) -> String {
            if let server = error.serverInfo {
                let message = server[.message] ?? "error"
                let detail = server[.detail].map { " (\($0))" } ?? ""
                return "PostgreSQL: \(message)\(detail) [\(server[.sqlState] ?? "")]"
            }
            return "PostgreSQL: \(String(reflecting: error.code))"
        }

        static func row(_ row: PostgresRow) throws -> SQLRow {
            var values: [String: SQLValue] = [:]
            for cell in row {
                guard cell.bytes != nil else {
                    values[cell.columnName] = .null
                    continue
                }
                values[cell.columnName] =
                    switch cell.dataType {
                    case .bool: .bool(try cell.decode(Bool.self))
                    case .int2, .int4, .int8: .integer(try cell.decode(Int64.self))
                    case .float4, .float8: .real(try cell.decode(Double.self))
                    case .timestamptz, .timestamp: .date(try cell.decode(Date.self))
                    default: .text(try cell.decode(String.self))
                    }
            }
            return SQLRow(values)
        }
    }
}
