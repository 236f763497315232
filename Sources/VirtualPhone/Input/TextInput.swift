import Foundation

extension VirtualPhone {
    /// Types text into the focused field (what `input text` and the keyboard do).
    @discardableResult
    public func type(_ string: String) -> Bool {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last, let field = tasks[last].entries[e].focus else { return false }
        tasks[last].entries[e].form[field, default: ""] += string
        changed()
        return true
    }

    func deleteBackward() {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last, let field = tasks[last].entries[e].focus else { return }
        var value = tasks[last].entries[e].form[field, default: ""]
        if !value.isEmpty { value.removeLast() }
        tasks[last].entries[e].form[field] = value
        changed()
    }

    func clearFocused() {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last, let field = tasks[last].entries[e].focus else { return }
        tasks[last].entries[e].form[field] = ""
        changed()
    }

    /// Enter in the focused field: runs its submit actions.
    func submitFocused() {
        guard let entry = topEntry, let field = entry.focus, let app = catalog.apps[entry.package],
            let widget = app.screen(entry.screen)?.widgets.first(where: { $0.type == .field && $0.field == field })
        else { return }
        if let submit = widget.submit {
            perform(submit, package: app.package, context: context(for: entry, app: app))
        } else if widget.multiline == true {
            type("\n")
        }
    }

    func focus(_ field: String) {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last else { return }
        tasks[last].entries[e].focus = field
        changed()
    }

    /// The focused field's text, if a field has focus.
    public var focusedText: String? {
        guard let entry = topEntry, let f = entry.focus else { return nil }
        return entry.form[f] ?? ""
    }

    /// A form field of the top screen.
    public func formValue(_ field: String) -> String? { topEntry?.form[field] }

    /// The top screen's id (for tests).
    public var screenId: String { topEntry?.screen ?? "" }
    public var lastRecognizedGesture: String { lastGesture }
}
