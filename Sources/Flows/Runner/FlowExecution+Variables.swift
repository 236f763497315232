import Foundation

/// `${…}` in a step's text, against the flow's variables.
extension FlowExecution {
    /// Replaces every `${…}` in `text`. An unset variable standing alone is an error that names
    /// it, unless `allowUnset` (evalScript, where only the assignments matter).
    func substitute(_ text: String, allowUnset: Bool = false) throws -> String {
        guard text.contains("${") else { return text }
        let segments: [Expression.Segment]
        do { segments = try Expression.parseTemplate(text) } catch { throw StepFailure(error.message) }
        var out = ""
        for segment in segments {
            switch segment {
            case .text(let t): out += t
            case .expression(let e, let source):
                let value = e.evaluate(&variables)
                if value == .null, !allowUnset, case .variable(let name) = e {
                    throw StepFailure("${\(source)}: \(name) is not set; give it in the flow's env, with runFlow's env, or with -e \(name)=VALUE")
                }
                out += value.text
            }
        }
        return out
    }

    /// The value of a condition's text: `${…}` alone gives its value's truth, other text its own.
    func truth(of text: String) throws -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("${"), trimmed.hasSuffix("}"), let segments = try? Expression.parseTemplate(trimmed), segments.count == 1,
            case .expression(let e, _) = segments[0]
        {
            return e.evaluate(&variables).isTrue
        }
        return Expression.Value.text(try substitute(trimmed)).isTrue
    }

    /// A selector with its `${…}` replaced.
    func substitute(_ selector: Selector) throws -> Selector {
        var s = selector
        s.text = try selector.text.map { try substitute($0) }
        s.id = try selector.id.map { try substitute($0) }
        s.point = try selector.point.map { try substitute($0) }
        for path in [\Selector.below, \.above, \.leftOf, \.rightOf, \.containsChild, \.childOf] {
            if let box = selector[keyPath: path] { s[keyPath: path] = Selector.Box(try substitute(box.selector)) }
        }
        return s
    }

    /// Runs `body` with `env` set, then puts back what those names held before.
    func withVariables<T>(_ env: [(key: String, value: String)], _ body: () async throws -> T) async throws -> T {
        var saved: [(String, String?)] = []
        for (key, value) in env {
            let resolved = try substitute(value)
            saved.append((key, variables[key]))
            variables[key] = resolved
        }
        defer { for (key, old) in saved.reversed() { variables[key] = old } }
        return try await body()
    }
}
