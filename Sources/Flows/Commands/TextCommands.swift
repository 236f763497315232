import AndroidPhone
import Foundation

/// `inputText` (and the random ones), `eraseText`, `copyTextFrom`, `pasteText`, `hideKeyboard`,
/// `pressKey`, `back`.
extension FlowExecution {
    func inputText(_ text: String) async throws -> String {
        try await phone.type(text)
        await screen.invalidate()
        lastAction = .type(text)
        return "typed \"\(text)\""
    }

    func eraseText(_ count: Int) async throws -> String {
        guard count > 0 else { return "erased nothing" }
        let deletes = Array(repeating: "67", count: min(count, 400)).joined(separator: " ")
        try await phone.shell("input keyevent 123; input keyevent \(deletes)")
        await screen.invalidate()
        return "erased up to \(count) characters"
    }

    func copyText(_ given: Selector) async throws -> String {
        let selector = try substitute(given)
        let (node, snapshot) = try await screen.find(selector, timeout: options.lookupTimeout)
        guard let node else { throw notFound(selector, within: options.lookupTimeout, snapshot) }
        let text = node.text.isEmpty ? node.contentDescription : node.text
        clipboard = text
        variables["maestro.copiedText"] = text
        return "copied \"\(text)\""
    }

    func pasteText() async throws -> String {
        guard let clipboard else { throw StepFailure("nothing to paste: no copyTextFrom ran before this step") }
        return try await inputText(clipboard)
    }

    func hideKeyboard() async throws -> String {
        let state = try await phone.shell("dumpsys input_method | grep mInputShown").stdoutText
        guard state.contains("mInputShown=true") else { return "no keyboard was shown" }
        try await phone.key(.back)
        await screen.invalidate()
        return "hid the keyboard"
    }

    func pressKey(_ name: String) async throws -> String {
        guard let code = FlowKeys.code(for: name) else { throw StepFailure("unknown key \"\(name)\"") }
        try await phone.key(code)
        await screen.invalidate()
        if code == .back { lastAction = .back }
        if code == .home { lastAction = .home }
        return "pressed \(code.name)"
    }
}

/// The text `inputRandom…` types.
enum RandomInput {
    static func make(_ kind: RandomText, length: Int) -> String {
        var g = SystemRandomNumberGenerator()
        func pick(_ alphabet: String, _ n: Int) -> String { String((0..<n).map { _ in alphabet.randomElement(using: &g) ?? "a" }) }
        let letters = "abcdefghijklmnopqrstuvwxyz"
        switch kind {
        case .text: return pick(letters + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", length)
        case .number: return pick("123456789", 1) + pick("0123456789", max(length - 1, 0))
        case .email: return pick(letters, max(length, 3)) + "@example.com"
        case .personName:
            let first = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jon"]
            let last = ["Lee", "Novak", "Okafor", "Park", "Quinn", "Rossi", "Silva", "Tanaka"]
            return "\(first.randomElement(using: &g) ?? "Ada") \(last.randomElement(using: &g) ?? "Lee")"
        }
    }
}
