import Agent
import AndroidPhone
import Foundation
import Trajectory

/// `goal` (the agent carries a task out, then its checks run) and `assertWithAI` (the model
/// judges the screen). Both need a model backend.
extension FlowExecution {
    func requireBackend(_ command: String) throws -> any ModelBackend {
        guard let backend = options.backend else { throw StepFailure("\(command) \(FlowRunOptions.needsModel)") }
        return backend
    }

    func goal(_ spec: GoalSpec) async throws -> String {
        let backend = try requireBackend("goal")
        let text = try substitute(spec.text)
        var record: URL?
        if let root = options.episodesDirectory {
            let folder = root.appendingPathComponent("\(slug)-goal-\(reports.count)")
            try? FileManager.default.removeItem(at: folder)
            record = folder
        }
        let agent = Agent(
            phone: AndroidPhoneControl(phone: phone), backend: backend, operator: PolicyOperator(sensitive: .allow),
            shortcuts: options.shortcuts, configuration: AgentConfiguration(language: options.language, maxSteps: spec.maxSteps),
            recordDirectory: record, device: EpisodeInfo.Device(serial: device.serial, model: device.model))
        let outcome = await agent.run(task: text)
        await screen.invalidate()
        if outcome.status == .cancelled { throw CancellationError() }
        guard outcome.status == .finished else {
            throw StepFailure("the agent did not finish the goal in \(outcome.steps) step\(outcome.steps == 1 ? "" : "s"): \(outcome.message)")
        }
        try await runSteps(spec.check)
        return "the agent finished in \(outcome.steps) step\(outcome.steps == 1 ? "" : "s"): \(outcome.message)"
    }

    func assertWithAI(_ assertion: String) async throws -> String {
        let backend = try requireBackend("assertWithAI")
        let image = try await phone.screenshot()
        let prompt = """
            You check a phone's screen for an automated test. The screenshot above is the screen now.
            Assertion: \(assertion)
            Does the screen satisfy the assertion? Answer with one line: PASS: <why> or FAIL: <why>.
            """
        let reply = try await backend.complete(
            ModelRequest(messages: [ModelMessage(role: .user, text: prompt, image: image)], sampling: .autoGLM), onText: nil)
        let verdict = AIVerdict(reply.text)
        switch verdict.passed {
        case true?: return "the model agrees: \(verdict.reason)"
        case false?: throw StepFailure("the model says the assertion \"\(assertion)\" does not hold: \(verdict.reason)")
        case nil: throw StepFailure("the model's reply says neither PASS nor FAIL: \(reply.text.prefix(300))")
        }
    }
}

/// A judge's reply read: the first PASS or FAIL word (after any thinking), and what follows it.
struct AIVerdict {
    var passed: Bool?
    var reason: String

    init(_ text: String) {
        var body = text
        if let end = body.range(of: "</think>") { body = String(body[end.upperBound...]) }
        body = body.replacingOccurrences(of: "<answer>", with: "").replacingOccurrences(of: "</answer>", with: "")
        let pattern = try? NSRegularExpression(pattern: "\\b(PASS|FAIL)\\b[:\\s-]*(.*)", options: [.caseInsensitive])
        let range = NSRange(body.startIndex..., in: body)
        if let m = pattern?.firstMatch(in: body, range: range), let word = Range(m.range(at: 1), in: body), let rest = Range(m.range(at: 2), in: body) {
            passed = body[word].uppercased() == "PASS"
            reason = String(body[rest]).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            passed = nil
            reason = body
        }
    }
}
