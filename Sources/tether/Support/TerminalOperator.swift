import Agent
import Foundation

/// The person at the terminal: asks on stderr, reads answers from stdin on a thread of its own
/// (never on the concurrency pool).
struct TerminalOperator: Operator {
    func ask(_ prompt: String) async -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        return await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
            Thread.detachNewThread { c.resume(returning: readLine(strippingNewline: true)) }
        }
    }

    func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision {
        guard let answer = await ask("\n⚠ step \(request.step): the agent wants to: \(request.message)\n  Allow? [y/N] ") else {
            return .unavailable(reason: "the terminal closed before an answer")
        }
        let a = answer.trimmingCharacters(in: .whitespaces).lowercased()
        return a == "y" || a == "yes" ? .approve : .deny(reason: "the user said no")
    }

    func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome {
        guard let answer = await ask("\n✋ step \(request.step): the agent needs you at the phone: \(request.message)\n  Do it on the phone, then press Enter (type q to stop the run): ") else {
            return .unavailable(reason: "the terminal closed before the take-over was done")
        }
        if answer.trimmingCharacters(in: .whitespaces).lowercased() == "q" { return .unavailable(reason: "the user stopped the run at a take-over") }
        return .done(note: answer.isEmpty ? nil : answer)
    }

    func interact(_ request: InteractionRequest) async -> InteractionOutcome {
        guard let answer = await ask("\n? step \(request.step): the agent asks you to choose.\n  \(request.context)\n  Your answer (empty: let it choose): "),
            !answer.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            return .unavailable(reason: "the user left the choice to the agent")
        }
        return .answer(answer)
    }
}
