import GRDB

/// The store's schema, one migration per version. A migration, once released, never changes:
/// a new version adds a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: devices, jobs, job events, questions, episodes") { db in
            try db.create(table: "device") { t in
                t.primaryKey("serial", .text)
                t.column("address", .text)
                t.column("model", .text)
                t.column("state", .text).notNull()
                t.column("added_by", .text).notNull()
                t.column("seen_at", .datetime).notNull()
            }
            try db.create(table: "job") { t in
                t.primaryKey("id", .text)
                t.column("seq", .integer).notNull().unique()
                t.column("kind", .text).notNull()
                t.column("status", .text).notNull().indexed()
                t.column("device", .text)
                t.column("requested_device", .text)
                t.column("spec", .jsonText).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("started_at", .datetime)
                t.column("ended_at", .datetime)
                t.column("steps", .integer).notNull().defaults(to: 0)
                t.column("message", .text).notNull().defaults(to: "")
                t.column("episode", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("requeue_on_interrupt", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "job_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull().indexed().references("job", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("payload", .jsonText).notNull()
            }
            try db.create(table: "question") { t in
                t.primaryKey("id", .text)
                t.column("job_id", .text).notNull().indexed().references("job", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("prompt", .text).notNull()
                t.column("status", .text).notNull()
                t.column("answer", .text)
                t.column("asked_at", .datetime).notNull()
                t.column("answered_at", .datetime)
            }
            try db.create(table: "episode") { t in
                t.primaryKey("path", .text)
                t.column("job_id", .text).indexed().references("job", onDelete: .setNull)
                t.column("task", .text).notNull()
                t.column("status", .text).notNull()
                t.column("steps", .integer).notNull()
                t.column("started_at", .datetime).notNull()
            }
        }
        return migrator
    }
}
