import ADB
import Foundation
import Basics

struct TaskFile: Codable, Sendable {
    var format: Int
    var tasks: [TaskDefinition]
}

/// A task for an agent: Devices/tasks/*.json (docs/tasks.md). `setup` is merged into the apps'
/// first state (package → partial state); `check` is evaluated over the final states, which a
/// checker reads through adb from /data/data/PACKAGE/state.json. `params` are picked by a seed
/// (`instance(seed:)`), and `solution` is what a person does to pass the check.
public struct TaskDefinition: Codable, Sendable {
    public var id: String
    public var level: TaskLevel
    public var instruction: String
    public var instructionZh: String
    /// Packages the task touches; their states are read for the check.
    public var apps: [String]
    public var params: [TaskParam] = []
    public var setup: [String: JSON]?
    public var check: TaskCheck
    public var solution: [SolutionStep] = []

    public init(
        id: String, level: TaskLevel, instruction: String, instructionZh: String, apps: [String], params: [TaskParam] = [],
        setup: [String: JSON]? = nil, check: TaskCheck, solution: [SolutionStep] = []
    ) {
        self.id = id
        self.level = level
        self.instruction = instruction
        self.instructionZh = instructionZh
        self.apps = apps
        self.params = params
        self.setup = setup
        self.check = check
        self.solution = solution
    }

    /// The apps the task spans, as its list of packages says (two or more: a multi-app task).
    public var isMultiApp: Bool { Set(apps).count > 1 }
}

extension TaskDefinition {
    enum CodingKeys: String, CodingKey {
        case id, level, instruction, instructionZh, apps, params, setup, check, solution
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        level = try c.decode(TaskLevel.self, forKey: .level)
        instruction = try c.decode(String.self, forKey: .instruction)
        instructionZh = try c.decode(String.self, forKey: .instructionZh)
        apps = try c.decode([String].self, forKey: .apps)
        params = try c.decodeIfPresent([TaskParam].self, forKey: .params) ?? []
        setup = try c.decodeIfPresent([String: JSON].self, forKey: .setup)
        check = try c.decode(TaskCheck.self, forKey: .check)
        solution = try c.decodeIfPresent([SolutionStep].self, forKey: .solution) ?? []
    }
}

/// A condition over app states. A leaf names a value (`app` and `path`; inside `some`/`none`,
/// `path` is relative to the element) and tests it with one of `equals`, `notEquals`, `contains`,
/// `exists`, `countAtLeast`, `count`, `some`, `none`. `all`, `any` and `not` combine.
public final class TaskCheck: Codable, Sendable {
    public let all: [TaskCheck]?
    public let any: [TaskCheck]?
    public let not: TaskCheck?
    public let app: String?
    public let path: String?
    public let equals: JSON?
    public let notEquals: JSON?
    public let contains: String?
    public let exists: Bool?
    public let countAtLeast: Int?
    public let count: Int?
    public let some: TaskCheck?
    public let none: TaskCheck?
    /// What the condition means, for the report.
    public let describe: String?

    public struct Result: Sendable {
        public var passed: Bool
        /// Why it failed (or, when it passed, what held).
        public var reasons: [String]
    }

    /// Evaluates over package → state.
    public func evaluate(_ states: [String: JSON]) -> Result {
        evaluate(states, scope: nil)
    }

    private func evaluate(_ states: [String: JSON], scope: JSON?) -> Result {
        if let all {
            let results = all.map { $0.evaluate(states, scope: scope) }
            let failed = results.filter { !$0.passed }
            return Result(passed: failed.isEmpty, reasons: (failed.isEmpty ? results : failed).flatMap(\.reasons))
        }
        if let any {
            let results = any.map { $0.evaluate(states, scope: scope) }
            if let ok = results.first(where: \.passed) { return ok }
            return Result(passed: false, reasons: ["none of these held: " + results.flatMap(\.reasons).joined(separator: "; ")])
        }
        if let not {
            let r = not.evaluate(states, scope: scope)
            return Result(passed: !r.passed, reasons: r.passed ? ["this should not hold: " + r.reasons.joined(separator: "; ")] : ["ok: not (\(r.reasons.joined(separator: "; ")))"])
        }
        let root: JSON?
        let name: String
        if let app {
            root = states[app]
            name = app + (path.map { " " + $0 } ?? "")
            if root == nil { return Result(passed: false, reasons: ["no state for \(app)"]) }
        } else {
            root = scope
            name = path ?? "item"
        }
        let value = path.flatMap { p in p.isEmpty ? root : root?.value(at: p) } ?? (path == nil ? root : nil)
        let label = describe ?? name
        func result(_ ok: Bool, _ why: String) -> Result { Result(passed: ok, reasons: [(ok ? "ok: " : "") + label + ": " + why]) }
        if let exists {
            let present = value != nil && value != .null
            return result(present == exists, present ? "present" : "missing")
        }
        if let equals {
            guard let value else { return result(false, "missing, expected \(equals.text)") }
            return result(value.looselyEquals(equals), "is \(value.text), expected \(equals.text)")
        }
        if let notEquals {
            guard let value else { return result(true, "missing") }
            return result(!value.looselyEquals(notEquals), "is \(value.text), must not be \(notEquals.text)")
        }
        if let contains {
            guard let value else { return result(false, "missing, expected to contain \"\(contains)\"") }
            let haystack = value.array?.map(\.text).joined(separator: "\n") ?? value.text
            return result(Self.normalized(haystack).contains(Self.normalized(contains)), "\"\(value.text)\" should contain \"\(contains)\"")
        }
        let items = value?.array
        if let countAtLeast {
            let n = items?.count ?? 0
            return result(n >= countAtLeast, "has \(n) items, expected at least \(countAtLeast)")
        }
        if let count {
            let n = items?.count ?? 0
            return result(n == count, "has \(n) items, expected \(count)")
        }
        if let some {
            let matches = (items ?? []).filter { some.evaluate(states, scope: $0).passed }
            if !matches.isEmpty { return result(true, "\(matches.count) matching item(s)") }
            return result(false, "no item where " + (some.describe ?? some.summary))
        }
        if let none {
            let matches = (items ?? []).filter { none.evaluate(states, scope: $0).passed }
            return result(matches.isEmpty, matches.isEmpty ? "no item where \(none.describe ?? none.summary)" : "\(matches.count) item(s) where \(none.describe ?? none.summary)")
        }
        return result(false, "the check names no test (equals, contains, exists, count, some, …)")
    }

    /// A short text of the condition, for messages.
    var summary: String {
        if let all { return all.map(\.summary).joined(separator: " and ") }
        if let any { return "(" + any.map(\.summary).joined(separator: " or ") + ")" }
        if let not { return "not " + not.summary }
        let p = path ?? "item"
        if let equals { return "\(p) = \(equals.text)" }
        if let notEquals { return "\(p) ≠ \(notEquals.text)" }
        if let contains { return "\(p) contains \"\(contains)\"" }
        if let exists { return exists ? "\(p) exists" : "\(p) is missing" }
        return p
    }

    /// Lower case without spaces, dashes, parentheses and dots, so phone numbers and names
    /// match however they were typed.
    static func normalized(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { !" -()._\t\n".unicodeScalars.contains($0) }.map(Character.init))
    }
}

/// Checks a task on a running phone through adb alone: `cat /data/data/PACKAGE/state.json` for
/// each app the task names, then the task's check over those states.
public enum TaskChecker {
    public static func check(_ task: TaskDefinition, on target: some ADBTarget) async throws -> TaskCheck.Result {
        var states: [String: JSON] = [:]
        for pkg in task.apps {
            let result = try await target.shell("cat /data/data/\(pkg)/state.json")
            guard result.exitCode == 0 || result.exitCode == nil else {
                return TaskCheck.Result(passed: false, reasons: ["cannot read the state of \(pkg): \(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"])
            }
            do { states[pkg] = try JSON.parse(result.stdout) } catch {
                return TaskCheck.Result(passed: false, reasons: ["the state of \(pkg) is not JSON: \(error)"])
            }
        }
        return task.check.evaluate(states)
    }
}
