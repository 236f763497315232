import Foundation

/// Where typed text goes and whether it got there: the focused editable node of the UI tree,
/// before and after typing.
extension Phone {
    /// The editable field that has focus, from the UI tree; `PhoneError.noFocusedTextField` when
    /// none has (a screen without fields, the PIN lock screen, a field that lost focus).
    public func focusedTextField() async throws -> UINode {
        guard let field = Self.focusedTextField(in: try await uiHierarchy()) else { throw PhoneError.noFocusedTextField }
        return field
    }

    static func focusedTextField(in tree: UIHierarchy) -> UINode? {
        tree.allNodes.first { $0.focused && isEditable($0) }
    }

    /// Text fields as the accessibility tree names them: `EditText` and its subclasses (which
    /// report EditText's class), auto-complete fields, Compose text fields, password fields.
    static func isEditable(_ node: UINode) -> Bool {
        let name = node.className
        return name.hasSuffix("EditText") || name.hasSuffix("AutoCompleteTextView") || name.hasSuffix("TextField") || node.password
    }

    /// Reads the focused field again until it holds `text` (see `delivered`), for at most
    /// `textConfirmTimeout`, polling at 10 ms and backing off. A field that changed but does not
    /// show the text as typed (a field that formats or limits what it takes) counts as delivered
    /// at the deadline; a field that did not change at all is `PhoneError.textNotDelivered`.
    func confirmDelivery(of text: String, replacing: Bool, before: UINode) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.textConfirmTimeout
        var delay = Duration.milliseconds(10)
        var last: UINode?
        while true {
            if let field = Self.focusedTextField(in: try await uiHierarchy()) {
                last = field
                if Self.delivered(text, replacing: replacing, before: before, after: field) { return }
            } else if text.contains("\n") {
                return  // Enter was pressed: the form may have moved focus on or submitted.
            }
            if clock.now >= deadline { break }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(200))
        }
        if let last, last.text != before.text {
            logger.info("the field changed but does not show the text as typed", metadata: ["field": "\(last.text)"])
            return
        }
        throw PhoneError.textNotDelivered(expected: text, field: last?.text ?? "")
    }

    /// Whether `after` holds what typing `text` into `before` should give. A password field reads
    /// back as dots, so there a change is all that can be seen; text with newlines or tabs (sent
    /// as keys) is looked for piece by piece.
    static func delivered(_ text: String, replacing: Bool, before: UINode, after: UINode) -> Bool {
        let pieces = text.split(whereSeparator: { $0 == "\n" || $0 == "\t" }).map(String.init)
        if after.password || before.password {
            if replacing { return after.text != before.text || after.text.count == text.count }
            return after.text != before.text
        }
        guard !pieces.isEmpty else { return true }  // nothing readable was typed (only keys, or a clear)
        guard pieces.allSatisfy({ after.text.contains($0) }) else { return false }
        return replacing || after.text != before.text
    }
}
