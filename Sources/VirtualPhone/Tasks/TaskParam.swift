import Basics

/// A seeded parameter of a task: the seed picks one of `oneOf` (any JSON values; objects give
/// `{{name.field}}`) or an integer in `range` (`[low, high]`, both included). `differentFrom`
/// names earlier parameters whose pick this one must not repeat (two different contacts).
public struct TaskParam: Codable, Sendable, Equatable {
    public var name: String
    public var oneOf: [JSON]?
    public var range: [Int]?
    public var differentFrom: [String]?

    public init(name: String, oneOf: [JSON]? = nil, range: [Int]? = nil, differentFrom: [String]? = nil) {
        self.name = name
        self.oneOf = oneOf
        self.range = range
        self.differentFrom = differentFrom
    }

    /// The range's bounds when it is a valid one.
    var bounds: (low: Int, high: Int)? {
        guard let range, range.count == 2, range[0] <= range[1] else { return nil }
        return (range[0], range[1])
    }

    /// Picks a value that is none of `avoid` when it can (a range with every value avoided, or
    /// a list, falls back to any value).
    func pick(avoiding avoid: [JSON], rng: inout SplitMix64) -> JSON? {
        if let oneOf, !oneOf.isEmpty {
            let allowed = oneOf.filter { !avoid.contains($0) }
            let pool = allowed.isEmpty ? oneOf : allowed
            return pool[Int(rng.next() % UInt64(pool.count))]
        }
        guard let (low, high) = bounds else { return nil }
        let span = UInt64(high - low) + 1
        var value = JSON.number(Double(low + Int(rng.next() % span)))
        for _ in 0..<8 where avoid.contains(value) {
            value = .number(Double(low + Int(rng.next() % span)))
        }
        return value
    }
}

extension TaskDefinition {
    /// The concrete task for a seed: each parameter picked by the seed (SplitMix64 over the seed
    /// and the task id), and every `{{name}}` or `{{name.field}}` in the instruction, setup, check
    /// and solution replaced by its value. A string that is only a placeholder takes the value's
    /// type (a number stays a number). A task without parameters is its own instance.
    public func instance(seed: UInt64) -> TaskDefinition {
        guard !params.isEmpty else { return self }
        let values = paramValues(seed: seed)
        var copy = self
        copy.params = []
        copy.instruction = Placeholders.fill(instruction, values)
        copy.instructionZh = Placeholders.fill(instructionZh, values)
        copy.setup = setup.flatMap { Placeholders.fill(.object($0), values).object }
        copy.solution = solution.map { Placeholders.fill($0, values) }
        if let check = Placeholders.fillCodable(check, values) { copy.check = check }
        return copy
    }

    /// The value of each parameter for a seed.
    public func paramValues(seed: UInt64) -> [String: JSON] {
        var rng = SplitMix64(seed: seed ^ Placeholders.hash(id))
        var values: [String: JSON] = [:]
        for param in params {
            let avoid = (param.differentFrom ?? []).compactMap { values[$0] }
            values[param.name] = param.pick(avoiding: avoid, rng: &rng)
        }
        return values
    }

    /// What is wrong with the task's parameters and placeholders, if anything: a parameter with
    /// no choices, a name used twice, a placeholder that names no parameter or a field some
    /// choice lacks, a solution that is empty (unless `requireSolution` is false: the catalog loads
    /// tasks without solutions, the suite's tests require them).
    public func problems(requireSolution: Bool = true) -> [String] {
        var problems: [String] = []
        var names = Set<String>()
        for param in params {
            if !names.insert(param.name).inserted { problems.append("parameter \(param.name) is declared twice") }
            if param.oneOf?.isEmpty ?? (param.bounds == nil) { problems.append("parameter \(param.name) has no values: give oneOf [..] or range [low, high]") }
            for other in param.differentFrom ?? [] where !names.contains(other) {
                problems.append("parameter \(param.name) is differentFrom \(other), which is not declared before it")
            }
        }
        let texts =
            [instruction, instructionZh] + Placeholders.strings(in: setup.map { JSON.object($0) } ?? .null)
            + solution.map(\.description) + Placeholders.strings(in: Placeholders.json(check) ?? .null)
        for text in texts {
            for reference in Placeholders.references(in: text) {
                let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
                guard let param = params.first(where: { $0.name == parts[0] }) else {
                    problems.append("{{\(reference)}} names no parameter; declare it in params")
                    continue
                }
                if parts.count == 2, (param.oneOf ?? [.null]).contains(where: { $0.value(at: parts[1]) == nil }) {
                    problems.append("{{\(reference)}}: some value of \(param.name) has no \(parts[1])")
                }
            }
        }
        if requireSolution, solution.isEmpty { problems.append("the task has no solution steps") }
        for seed in UInt64(0)..<8 where Placeholders.fillCodable(check, paramValues(seed: seed)) == nil {
            problems.append("with seed \(seed) the check is not a valid check once its placeholders are filled (a text field got a number?)")
            break
        }
        return Array(Set(problems)).sorted()
    }
}
