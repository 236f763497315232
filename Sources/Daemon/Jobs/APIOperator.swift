import Agent
import Foundation
import Logging

/// The human in the loop for a daemon job: a question is stored (the job turns `waiting`),
/// and the run resumes when someone answers it through the API, or goes on without an answer
/// when the job's question timeout passes.
struct APIOperator: Operator {
    let store: Store
    let job: String
    let timeout: Duration
    let logger: Logger

    func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision {
        switch await ask("confirm", request.message) {
        case .answered(let text):
            let yes = ["yes", "y", "approve", "allow", "ok", "true"].contains(text.lowercased().trimmingCharacters(in: .whitespaces))
            return yes ? .approve : .deny(reason: "the operator said: \(text)")
        case .none(let reason): return .unavailable(reason: reason)
        }
    }

    func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome {
        switch await ask("take_over", request.message) {
        case .answered(let text): return .done(note: text.isEmpty ? nil : text)
        case .none(let reason): return .unavailable(reason: reason)
        }
    }

    func interact(_ request: InteractionRequest) async -> InteractionOutcome {
        switch await ask("interact", request.context) {
        case .answered(let text): return .answer(text)
        case .none(let reason): return .unavailable(reason: reason)
        }
    }

    enum Reply { case answered(String), none(String) }

    /// Stores the question and waits for its answer in the store (the API writes it there).
    func ask(_ kind: String, _ prompt: String) async -> Reply {
        let question: QuestionRecord
        do { question = try await store.ask(job, kind: kind, prompt: prompt) } catch {
            return .none("the question could not be stored: \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return .none("the job was stopped while waiting for an answer") }
            guard let stored = try? await store.questions(of: job).first(where: { $0.id == question.id }) else { continue }
            if stored.status == .answered { return .answered(stored.answer ?? "") }
            if stored.status == .expired { return .none("the question expired") }
        }
        try? await store.expire(question.id)
        return .none("nobody answered within \(timeout)")
    }
}
