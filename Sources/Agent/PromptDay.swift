import Foundation

/// The day a system prompt gives as today (`--date 2026-12-05`) instead of the day the run
/// starts: a run, a benchmark or a recording then gives the model the same prompt whatever day it
/// runs on (the embedded model, trained on prompts of one day, answers differently on others).
public struct PromptDay: Sendable, Hashable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    /// `YYYY-MM-DD`, a day the Gregorian calendar has; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let first = calendar.date(from: DateComponents(year: y, month: m, day: 1)),
            let days = calendar.range(of: .day, in: .month, for: first), days.contains(d)
        else { return nil }
        year = y
        month = m
        day = d
    }

    /// Noon of this day in `timeZone` (the prompt's date line reads the day in that zone).
    public func date(in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)) ?? Date()
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}
