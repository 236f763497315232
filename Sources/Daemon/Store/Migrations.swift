import GRDB

/// The store's schema, one migration per version, the same statements on SQLite and PostgreSQL
/// (column types written as `{text}`, `{time}`, … and rendered by the dialect). A migration,
/// once released, never changes: a new version adds a new one.
enum Migrations {
    struct Migration {
        let id: String
        let statements: [String]
    }

    static let all = [
        Migration(
            id: "v1: devices, jobs, job events, questions, episodes",
            statements: [
                """
                CREATE TABLE device (serial {text} PRIMARY KEY, address {text}, model {text}, state {text} NOT NULL,
                    added_by {text} NOT NULL, seen_at {time} NOT NULL)
                """,
                """
                CREATE TABLE job (id {text} PRIMARY KEY, seq {int} NOT NULL UNIQUE, kind {text} NOT NULL,
                    status {text} NOT NULL, device {text}, requested_device {text}, spec {json} NOT NULL,
                    created_at {time} NOT NULL, started_at {time}, ended_at {time},
                    steps {int} NOT NULL DEFAULT 0, message {text} NOT NULL DEFAULT '', episode {text},
                    attempts {int} NOT NULL DEFAULT 0, requeue_on_interrupt {bool} NOT NULL DEFAULT FALSE)
                """,
                "CREATE INDEX job_on_status ON job(status)",
                """
                CREATE TABLE job_event (id {key}, job_id {text} NOT NULL REFERENCES job(id) ON DELETE CASCADE,
                    at {time} NOT NULL, kind {text} NOT NULL, payload {json} NOT NULL)
                """,
                "CREATE INDEX job_event_on_job_id ON job_event(job_id)",
                """
                CREATE TABLE question (id {text} PRIMARY KEY, job_id {text} NOT NULL REFERENCES job(id) ON DELETE CASCADE,
                    kind {text} NOT NULL, prompt {text} NOT NULL, status {text} NOT NULL, answer {text},
                    asked_at {time} NOT NULL, answered_at {time})
                """,
                "CREATE INDEX question_on_job_id ON question(job_id)",
                """
                CREATE TABLE episode (path {text} PRIMARY KEY, job_id {text} REFERENCES job(id) ON DELETE SET NULL,
                    task {text} NOT NULL, status {text} NOT NULL, steps {int} NOT NULL, started_at {time} NOT NULL)
                """,
                "CREATE INDEX episode_on_job_id ON episode(job_id)"
            ]),
        Migration(
            id: "v2: hosts, their phones, which host runs a job, jobs asking for a phone model",
            statements: [
                """
                CREATE TABLE host (id {text} PRIMARY KEY, url {text} NOT NULL, token {text} NOT NULL,
                    state {text} NOT NULL, started_at {time} NOT NULL, heartbeat_at {time} NOT NULL)
                """,
                """
                CREATE TABLE host_device (host {text} NOT NULL REFERENCES host(id) ON DELETE CASCADE,
                    serial {text} NOT NULL, model {text}, state {text} NOT NULL, job {text},
                    PRIMARY KEY (host, serial))
                """,
                "ALTER TABLE job ADD COLUMN host {text}",
                "ALTER TABLE job ADD COLUMN requested_model {text}",
                "ALTER TABLE device ADD COLUMN host {text}",
                "CREATE INDEX job_on_status_seq ON job(status, seq)",
                "CREATE INDEX job_on_host ON job(host)"
            ])
    ]

    /// SQLite's migrations through GRDB (its table `grdb_migrations` records which ran).
    static var sqlite: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.id) { db in
                for statement in migration.statements { try db.execute(sql: SQLDialect.sqlite.render(statement)) }
            }
        }
        return migrator
    }

    /// PostgreSQL's: the first host to start runs them under an advisory lock while the others
    /// wait; table `schema_migration` records which ran.
    static func migrate(_ database: any StoreDatabase) async throws {
        try await database.write { sql in
            try await sql.serialize(.migrations)
            try await sql.execute("CREATE TABLE IF NOT EXISTS schema_migration (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", [])
            let applied = Set(try await sql.query("SELECT id FROM schema_migration", []).map { try $0.string("id") })
            let known = Set(all.map(\.id))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError("the database has migration \"\(unknown)\", which this tetherd does not know: a newer version made it; upgrade this host")
            }
            for migration in all where !applied.contains(migration.id) {
                for statement in migration.statements { try await sql.execute(sql.dialect.render(statement), []) }
                try await sql.execute("INSERT INTO schema_migration (id) VALUES (?)", [.text(migration.id)])
            }
        }
    }
}
