import Foundation

/// A phone the daemon was told about, as the store keeps it (table `device`).
public struct DeviceRow: Sendable, Equatable {
    public var serial: String
    public var address: String
    public var addedBy: String
}

extension Store {
    /// Remembers a TCP phone (added through the API or the config file) across restarts, as
    /// `host`'s (nil: the store has one host).
    public func saveDevice(
        serial: String, address: String, addedBy: String, state: DeviceState, host: String? = nil,
        at date: Date = Date()
    ) async throws(StoreError) {
        try await write("remember device \(serial)") { sql in
            try await sql.execute(
                """
                INSERT INTO device (serial, address, model, state, added_by, seen_at, host) VALUES (?, ?, NULL, ?, ?, ?, ?)
                ON CONFLICT(serial) DO UPDATE SET address = excluded.address, state = excluded.state, seen_at = excluded.seen_at,
                    host = excluded.host
                """, [.text(serial), .text(address), .text(state.rawValue), .text(addedBy), .date(date), SQLValue(host)])
        }
    }

    public func updateDevice(serial: String, state: DeviceState, model: String?, at date: Date = Date()) async throws(StoreError) {
        try await write("update device \(serial)") { sql in
            try await sql.execute(
                "UPDATE device SET state = ?, model = COALESCE(?, model), seen_at = ? WHERE serial = ?",
                [.text(state.rawValue), SQLValue(model), .date(date), .text(serial)])
        }
    }

    /// The TCP phones to connect at start: `host`'s and those saved before hosts were recorded
    /// (nil: all of them).
    public func savedDevices(host: String? = nil) async throws(StoreError) -> [DeviceRow] {
        try await read("list the remembered devices") { sql in
            let select = "SELECT serial, address, added_by FROM device WHERE address IS NOT NULL"
            let rows =
                if let host {
                    try await sql.query(select + " AND (host IS NULL OR host = ?) ORDER BY serial", [.text(host)])
                } else {
                    try await sql.query(select + " ORDER BY serial", [])
                }
            return try rows.map { row throws(StoreError) in
                DeviceRow(serial: try row.string("serial"), address: try row.string("address"), addedBy: try row.string("added_by"))
            }
        }
    }
}
