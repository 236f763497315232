import Foundation

/// Durations as the model writes them for Wait: "2 seconds", "1.5s", "500 ms", "3 秒", "2".
public enum WaitDuration {
    public static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        var number = ""
        var rest = Substring(t)
        while let c = rest.first, c.isNumber || c == "." {
            number.append(c)
            rest = rest.dropFirst()
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let unit = rest.trimmingCharacters(in: .whitespaces)
        switch unit {
        case "", "s", "sec", "secs", "second", "seconds", "秒", "秒钟": return value
        case "ms", "millisecond", "milliseconds", "毫秒": return value / 1000
        case "min", "mins", "minute", "minutes", "分钟": return value * 60
        default: return nil
        }
    }
}
