import Foundation

/// One row a query returned, by column name. The getters convert what each store keeps
/// (SQLite: a boolean as 0 or 1, a date as text) to the value asked for, and name the column
/// when it holds something else.
public struct SQLRow: Sendable, Equatable {
    public var values: [String: SQLValue]

    public init(_ values: [String: SQLValue]) { self.values = values }

    public func optionalString(_ column: String) throws(StoreError) -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        case .integer(let number): return String(number)
        case let other: throw mismatch(column, "text", other)
        }
    }

    public func string(_ column: String) throws(StoreError) -> String {
        guard let text = try optionalString(column) else { throw StoreError("column \(column) is null") }
        return text
    }

    public func optionalInt(_ column: String) throws(StoreError) -> Int64? {
        switch try value(column) {
        case .null: return nil
        case .integer(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .real(let number) where number.rounded() == number: return Int64(number)
        case let other: throw mismatch(column, "an integer", other)
        }
    }

    public func int(_ column: String) throws(StoreError) -> Int {
        guard let number = try optionalInt(column) else { throw StoreError("column \(column) is null") }
        return Int(number)
    }

    public func int64(_ column: String) throws(StoreError) -> Int64 {
        guard let number = try optionalInt(column) else { throw StoreError("column \(column) is null") }
        return number
    }

    public func bool(_ column: String) throws(StoreError) -> Bool {
        switch try value(column) {
        case .bool(let flag): return flag
        case .integer(let number): return number != 0
        case let other: throw mismatch(column, "a boolean", other)
        }
    }

    public func optionalDate(_ column: String) throws(StoreError) -> Date? {
        switch try value(column) {
        case .null: return nil
        case .date(let date): return date
        case .text(let text):
            guard let date = SQLDates.parse(text) else { throw StoreError("column \(column) holds \"\(text)\", not a date") }
            return date
        case let other: throw mismatch(column, "a date", other)
        }
    }

    public func date(_ column: String) throws(StoreError) -> Date {
        guard let date = try optionalDate(column) else { throw StoreError("column \(column) is null") }
        return date
    }

    private func value(_ column: String) throws(StoreError) -> SQLValue {
        guard let value = values[column] else { throw StoreError("the query returned no column \(column)") }
        return value
    }

    private func mismatch(_ column: String, _ wanted: String, _ found: SQLValue) -> StoreError {
        StoreError("column \(column) holds \(found), not \(wanted)")
    }
}
