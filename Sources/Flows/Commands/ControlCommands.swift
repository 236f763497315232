import Foundation

/// `runFlow`, `repeat`, `retry`, and the `when` / `while` conditions they take.
extension FlowExecution {
    /// Whether every part of the condition holds on the screen as it is now.
    func holds(_ condition: Condition) async throws -> Bool {
        if let platform = condition.platform, try substitute(platform).lowercased() != "android" { return false }
        if let text = condition.isTrue, !(try truth(of: text)) { return false }
        if let visible = condition.visible {
            guard try await screen.find(try substitute(visible), timeout: .zero).node != nil else { return false }
        }
        if let notVisible = condition.notVisible {
            guard try await screen.find(try substitute(notVisible), timeout: .zero).node == nil else { return false }
        }
        return true
    }

    func runFlow(_ spec: RunFlow) async throws -> String {
        if let when = spec.when, !(try await holds(when)) { return Self.skippedMarker }
        try await withVariables(spec.env) { try await runSteps(spec.steps) }
        return "ran \(spec.steps.count) command\(spec.steps.count == 1 ? "" : "s")"
    }

    func repeatSteps(_ spec: RepeatSpec) async throws -> String {
        var limit = Int.max
        if let times = spec.times {
            let text = try substitute(times)
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw StepFailure("repeat.times is \"\(text)\", not a whole number")
            }
            limit = n
        }
        let cap = 1000
        var rounds = 0
        while rounds < limit {
            if let condition = spec.whileCondition, !(try await holds(condition)) { break }
            guard rounds < cap else { throw StepFailure("repeat ran \(cap) times and its while still held; stopped") }
            try await runSteps(spec.steps)
            rounds += 1
        }
        return "repeated \(rounds) time\(rounds == 1 ? "" : "s")"
    }

    func retry(_ maxRetries: Int, _ steps: [Step]) async throws -> String {
        var attempt = 0
        while true {
            let before = failed
            do {
                try await runSteps(steps)
                return attempt == 0 ? "passed" : "passed on retry \(attempt)"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if StepFailure.from(error).phoneLost || attempt >= maxRetries { throw error }
                failed = before
                attempt += 1
            }
        }
    }
}
