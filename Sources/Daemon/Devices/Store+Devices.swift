import Foundation
import GRDB

/// A phone the daemon was told about, as the store keeps it (table `device`, schema v1).
public struct DeviceRow: Sendable, Equatable {
    public var serial: String
    public var address: String
    public var addedBy: String
}

extension Store {
    /// Remembers a TCP phone (added through the API or the config file) across restarts.
    public func saveDevice(
        serial: String, address: String, addedBy: String, state: DeviceState,
        at date: Date = Date()
    ) throws(StoreError) {
        try write("remember device \(serial)") { db in
            try db.execute(
                sql: """
                    INSERT INTO device (serial, address, model, state, added_by, seen_at) VALUES (?, ?, NULL, ?, ?, ?)
                    ON CONFLICT(serial) DO UPDATE SET address = excluded.address, state = excluded.state, seen_at = excluded.seen_at
                    """, arguments: [serial, address, state.rawValue, addedBy, date])
        }
    }

    public func updateDevice(serial: String, state: DeviceState, model: String?, at date: Date = Date()) throws(StoreError) {
        try write("update device \(serial)") { db in
            try db.execute(
                sql: "UPDATE device SET state = ?, model = COALESCE(?, model), seen_at = ? WHERE serial = ?",
                arguments: [state.rawValue, model, date, serial])
        }
    }

    public func savedDevices() throws(StoreError) -> [DeviceRow] {
        try read("list the remembered devices") { db in
            try Row.fetchAll(db, sql: "SELECT serial, address, added_by FROM device WHERE address IS NOT NULL ORDER BY serial")
                .map { DeviceRow(serial: $0["serial"], address: $0["address"], addedBy: $0["added_by"]) }
        }
    }
}
