import Foundation
import Imaging
import Trajectory

/// Writes the reasoning of a person's step for training data (`tether export --describe`): the
/// model is shown the screen, the task and the action the person took, and asked why.
public struct StepDescriber: Sendable {
    public var backend: any ModelBackend
    public var sampling: SamplingOptions

    public init(backend: any ModelBackend, sampling: SamplingOptions = .autoGLM) {
        self.backend = backend
        self.sampling = sampling
    }

    /// The reasoning for `step`, one short paragraph, without tags.
    public func describe(step: StepRecord, screen: URL, task: String, language: PromptLanguage) async throws -> String {
        let image: Image
        do { image = try Image(encodedData: try Data(contentsOf: screen)) } catch {
            throw ExportError("cannot read the screenshot \(screen.path) to describe step \(step.step): \(error)")
        }
        let action = step.action ?? ""
        let request = ModelRequest(
            messages: [
                ModelMessage(role: .system, text: StepDescriber.system(language)),
                ModelMessage(role: .user, text: StepDescriber.question(task: task, app: step.currentApp, action: action, language: language), image: image)
            ],
            sampling: sampling)
        let reply = try await backend.complete(request, onText: nil)
        let thinking = ChatReasoning.strip(reply.text.contains("<answer>") ? Agent.answerText(reply.text) : reply.text)
        guard !thinking.isEmpty else {
            throw ExportError("the model wrote nothing to describe step \(step.step) of \"\(task)\"; try another model or leave out --describe")
        }
        return thinking
    }

    static func system(_ language: PromptLanguage) -> String {
        switch language {
        case .english:
            "You explain the steps of a person using an Android phone. Given the screen, the task and the action the person took, write the reasoning that leads to that action, in the first person, as the person would think it: what the screen shows and why this action brings the task closer. One to three sentences. Do not write the action itself."
        case .chinese:
            "你为一位使用安卓手机的人解释他的操作。根据屏幕、任务和他执行的动作，用第一人称写出得出这个动作的思考：屏幕上有什么，为什么这个动作能让任务更接近完成。一到三句话，不要写出动作本身。"
        }
    }

    static func question(task: String, app: String, action: String, language: PromptLanguage) -> String {
        switch language {
        case .english: "Task: \(task)\nApp in front: \(app)\nAction taken: \(action)"
        case .chinese: "任务：\(task)\n前台应用：\(app)\n执行的动作：\(action)"
        }
    }
}

/// Text cleaned of the tags a reasoning model may still write.
enum ChatReasoning {
    static func strip(_ text: String) -> String {
        var t = text
        for tag in ["<think>", "</think>", "<answer>", "</answer>"] { t = t.replacingOccurrences(of: tag, with: "") }
        return t.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
