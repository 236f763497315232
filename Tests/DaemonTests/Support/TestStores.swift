import Basics
import Foundation
import TetherTestSupport
@testable import Daemon

/// The two stores every store test runs on: SQLite always; PostgreSQL when a server is given in
/// `TETHER_TEST_POSTGRES` (Scripts/test starts one: Debian's postgresql on a private port and
/// data directory, stopped at the end).
enum StoreKind: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    var description: String { rawValue }

    static var available: [StoreKind] { PostgresForTests.server == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A fresh store of one kind: a new state directory and, with PostgreSQL, a new database. Each
/// `open()` is a new opening of the same store (as a restart, or a second host, makes).
final class StoreFixture: Sendable {
    let kind: StoreKind
    let scratch = TemporaryDirectory()
    /// The `--store` value: nil for SQLite, the database's URL for PostgreSQL.
    let location: String?

    private init(kind: StoreKind, location: String?) {
        self.kind = kind
        self.location = location
    }

    static func make(_ kind: StoreKind) async throws -> StoreFixture {
        StoreFixture(kind: kind, location: kind == .postgres ? try await PostgresForTests.freshDatabase() : nil)
    }

    var state: URL { scratch.url.appendingPathComponent("state") }

    func open(state: URL? = nil) async throws -> Store {
        try await Store.open(directory: state ?? self.state, location: location)
    }
}

enum PostgresForTests {
    /// The server's admin URL (`postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`).
    static var server: String? {
        ProcessInfo.processInfo.environment["TETHER_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Makes a new, empty database on the test server and returns its URL.
    static func freshDatabase() async throws -> String {
        guard let server, var url = URLComponents(string: server) else { throw StoreError("TETHER_TEST_POSTGRES is not set") }
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresStoreDatabase(url: server, maxConnections: 1)
        // CREATE DATABASE cannot run in a transaction: a read runs it alone.
        do { _ = try await admin.read { sql in try await sql.execute("CREATE DATABASE \(name)", []) } } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        url.path = "/" + name
        guard let text = url.string else { throw StoreError("cannot make a URL for database \(name)") }
        return text
    }
}
