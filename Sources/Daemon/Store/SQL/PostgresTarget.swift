import Foundation
import PostgresNIO

/// A `postgres://` address taken apart: where to connect and as whom.
struct PostgresTarget: CustomStringConvertible {
    var configuration: PostgresConnection.Configuration
    var description: String

    init(url text: String) throws(StoreError) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw StoreError("--store must be a path or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, not \"\(text)\"")
        }
        guard let host = url.host, !host.isEmpty else { throw StoreError("\(text) names no host") }
        let user = url.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let database = String(url.path.drop(while: { $0 == "/" }))
        let mode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresConnection.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(try Self.tlsContext())
        case "require": tls = .require(try Self.tlsContext())
        default: throw StoreError("sslmode must be disable, prefer or require, not \(mode)")
        }
        configuration = PostgresConnection.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: url.password,
            database: database.isEmpty ? user : database, tls: tls)
        description = "postgres://\(user)@\(host):\(url.port ?? 5432)/\(database.isEmpty ? user : database)"
    }

    static func tlsContext() throws(StoreError) -> NIOSSLContext {
        do { return try NIOSSLContext(configuration: .makeClientConfiguration()) } catch {
            throw StoreError("cannot set up TLS for PostgreSQL: \(error)")
        }
    }
}
