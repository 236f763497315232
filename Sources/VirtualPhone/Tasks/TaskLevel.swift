/// How hard a task is, as AndroidWorld grades them: `easy` is a few steps in one app, `medium`
/// needs several screens or typed text, `hard` spans apps or has to find a value first.
public enum TaskLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case easy, medium, hard

    public static func < (a: TaskLevel, b: TaskLevel) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}
