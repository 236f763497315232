import Foundation

extension Store {
    /// Registers `host` as alive (again, after a restart), reachable at `url` with `token`.
    public func register(host: String, url: String, token: String, at date: Date = Date()) async throws(StoreError) {
        try await write("register host \(host)") { sql in
            try await sql.execute(
                """
                INSERT INTO host (id, url, token, state, started_at, heartbeat_at) VALUES (?, ?, ?, 'alive', ?, ?)
                ON CONFLICT(id) DO UPDATE SET url = excluded.url, token = excluded.token, state = 'alive',
                    started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at
                """, [.text(host), .text(url), .text(token), .date(date), .date(date)])
        }
    }

    /// `host` is alive, with these phones. False when the others have declared it dead in the
    /// meantime (its jobs were interrupted): it must stop them and register again.
    public func heartbeat(host: String, devices: [DeviceInfo], at date: Date = Date()) async throws(StoreError) -> Bool {
        try await write("record the heartbeat of host \(host)") { sql in
            let changed = try await sql.execute(
                "UPDATE host SET heartbeat_at = ? WHERE id = ? AND state = 'alive'", [.date(date), .text(host)])
            guard changed == 1 else { return false }
            try await sql.execute("DELETE FROM host_device WHERE host = ?", [.text(host)])
            for device in devices {
                try await sql.execute(
                    "INSERT INTO host_device (host, serial, model, state, job) VALUES (?, ?, ?, ?, ?)",
                    [.text(host), .text(device.serial), SQLValue(device.model), .text(device.state.rawValue), SQLValue(device.job)])
            }
            return true
        }
    }

    /// A host stopping on purpose: its phones leave the registry (its jobs were interrupted by
    /// its own shutdown).
    public func leave(host: String, at date: Date = Date()) async throws(StoreError) {
        try await write("unregister host \(host)") { sql in
            try await sql.execute("UPDATE host SET state = 'stopped', heartbeat_at = ? WHERE id = ?", [.date(date), .text(host)])
            try await sql.execute("DELETE FROM host_device WHERE host = ?", [.text(host)])
        }
    }

    /// What one host found when it reaped another.
    public struct Reaped: Sendable, Equatable {
        public var host: String
        public var interrupted: [String]
        public var requeued: [String]
    }

    /// Declares dead every alive host whose last heartbeat is before `deadline`: its running
    /// and waiting jobs become `interrupted` (those that asked are queued again) and its phones
    /// leave the registry. Each host is reaped once: the row is locked while it happens (a
    /// second reaper skips it) and is no longer alive afterwards.
    public func reapHosts(silentSince deadline: Date, at date: Date = Date()) async throws(StoreError) -> [Reaped] {
        try await write("reap the hosts that stopped heartbeating") { sql in
            let silent = try await sql.query(
                "SELECT id FROM host WHERE state = 'alive' AND heartbeat_at < ? ORDER BY id" + sql.dialect.forUpdateSkipLocked,
                [.date(deadline)])
            var reaped: [Reaped] = []
            for row in silent {
                let host = try row.string("id")
                try await sql.execute("UPDATE host SET state = 'dead' WHERE id = ?", [.text(host)])
                try await sql.execute("DELETE FROM host_device WHERE host = ?", [.text(host)])
                let jobs = try await sql.query(
                    "SELECT * FROM job WHERE host = ? AND status IN ('running', 'waiting') ORDER BY seq" + sql.dialect.forUpdate,
                    [.text(host)])
                let ended = try await Self.interrupt(
                    sql, jobs.map { try JobRecord(row: $0) }, at: date,
                    reason: { _ in "interrupted: host \(host) stopped heartbeating while the job ran" })
                reaped.append(Reaped(host: host, interrupted: ended.interrupted, requeued: ended.requeued))
            }
            return reaped
        }
    }

    /// Every host the store knows, by id.
    public func hosts() async throws(StoreError) -> [HostRecord] {
        try await read("list the hosts") { sql in
            try await sql.query("SELECT * FROM host ORDER BY id", []).map { try HostRecord(row: $0) }
        }
    }

    public func host(_ id: String) async throws(StoreError) -> HostRecord? {
        try await read("read host \(id)") { sql in
            try await sql.queryOne("SELECT * FROM host WHERE id = ?", [.text(id)]).map { try HostRecord(row: $0) }
        }
    }

    /// The phones of the alive hosts other than `host`, as their last heartbeat listed them.
    public func remoteDevices(except host: String) async throws(StoreError) -> [DeviceInfo] {
        try await read("list the other hosts' devices") { sql in
            try await sql.query(
                """
                SELECT d.host, d.serial, d.model, d.state, d.job FROM host_device d JOIN host h ON h.id = d.host
                WHERE h.state = 'alive' AND d.host <> ? ORDER BY d.host, d.serial
                """, [.text(host)]
            ).map { row throws(StoreError) in
                DeviceInfo(
                    serial: try row.string("serial"), address: try row.string("serial"),
                    state: DeviceState(rawValue: try row.string("state")) ?? .offline, model: try row.optionalString("model"),
                    job: try row.optionalString("job"), message: nil, host: try row.string("host"))
            }
        }
    }

    /// The alive host other than `host` that has the phone `serial`, if one has.
    public func owner(ofDevice serial: String, except host: String) async throws(StoreError) -> HostRecord? {
        try await read("find the host of device \(serial)") { sql in
            try await sql.queryOne(
                """
                SELECT h.* FROM host h JOIN host_device d ON d.host = h.id
                WHERE d.serial = ? AND h.state = 'alive' AND h.id <> ? ORDER BY h.heartbeat_at DESC LIMIT 1
                """, [.text(serial), .text(host)]
            ).map { try HostRecord(row: $0) }
        }
    }
}
