import Foundation
import GRDB

/// Dates as SQLite keeps them: text in GRDB's format (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), which
/// sorts as the dates do, so comparisons in SQL work on the text. PostgreSQL keeps `timestamptz`.
enum SQLDates {
    static func text(_ date: Date) -> String {
        guard case .string(let text) = date.databaseValue.storage else { return "\(date)" }
        return text
    }

    static func parse(_ text: String) -> Date? { Date.fromDatabaseValue(text.databaseValue) }
}
