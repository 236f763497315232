import Trajectory
import Foundation
import Imaging
import Testing
@testable import Agent

func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("tether-agent-tests-\(UUID().uuidString)")
}

@Suite struct OperatorPolicyTests {
    let confirm = ConfirmationRequest(message: "Send the SMS", task: "t", step: 3)
    let takeOver = TakeOverRequest(message: "Log in", task: "t", step: 3)
    let interact = InteractionRequest(context: "two Alices", task: "t", step: 3)

    @Test func unattendedPolicies() async {
        #expect(await PolicyOperator(sensitive: .allow).confirm(confirm) == .approve)
        guard case .deny = await PolicyOperator(sensitive: .deny).confirm(confirm) else { Issue.record("not denied"); return }
        guard case .unavailable = await PolicyOperator(sensitive: .ask).confirm(confirm) else { Issue.record("asked nobody"); return }
        guard case .unavailable = await PolicyOperator(sensitive: .allow).takeOver(takeOver) else { Issue.record("take over"); return }
        guard case .unavailable = await PolicyOperator(sensitive: .allow).interact(interact) else { Issue.record("interact"); return }
    }

    @Test func askGoesToThePerson() async {
        let person = ScriptedOperator(
            decisions: [.deny(reason: "not now")], takeOvers: [.done(note: nil)],
            answers: [.answer("the second one")])
        let op = PolicyOperator(sensitive: .ask, interactive: person)
        #expect(await op.confirm(confirm) == .deny(reason: "not now"))
        #expect(await op.takeOver(takeOver) == .done(note: nil))
        #expect(await op.interact(interact) == .answer("the second one"))
        #expect(await person.confirmations == [confirm])
        // allow and deny never bother the person.
        _ = await PolicyOperator(sensitive: .allow, interactive: person).confirm(confirm)
        _ = await PolicyOperator(sensitive: .deny, interactive: person).confirm(confirm)
        #expect(await person.confirmations.count == 1)
    }
}
