import ADB
import Foundation

/// How text reached the phone.
public enum TextMethod: String, Sendable, Codable {
    /// `am broadcast -a ADB_INPUT_B64` to the ADB Keyboard IME: any Unicode.
    case adbKeyboard
    /// `input text`: printable ASCII only.
    case inputText
}

extension Phone {
    // MARK: - Text

    /// Types `text` into the focused field, and confirms that it arrived.
    ///
    /// A text field must have focus (the UI tree shows a focused editable node), else this throws
    /// `PhoneError.noFocusedTextField` and sends nothing. With ADB Keyboard installed, the text
    /// goes as base64 in one broadcast per chunk, any Unicode included: the IME is enabled and
    /// selected first when it is not, and the user's IME is selected again afterwards — also when
    /// typing failed or was cancelled. Without it, printable ASCII goes through an escaped
    /// `input text`; anything else is an error that says to install ADB Keyboard. Afterwards the
    /// field is read back: `PhoneError.textNotDelivered` when the text is not in it.
    ///
    /// Typing into one phone takes turns: within this process, and with other processes on this
    /// host through a lock file named after the phone's serial number.
    @discardableResult
    public func type(_ text: String) async throws -> TextMethod {
        guard !text.isEmpty else { return .inputText }
        return try await enterText(text, replacing: false)
    }

    /// Clears the focused field, then types `text` into it (empty: only clears), confirmed as
    /// `type(_:)` confirms. With ADB Keyboard the field is cleared with its `ADB_CLEAR_TEXT`;
    /// without it, `MOVE_END` and one `DEL` per character the field holds.
    @discardableResult
    public func replaceText(_ text: String) async throws -> TextMethod {
        try await enterText(text, replacing: true)
    }

    func enterText(_ text: String, replacing: Bool) async throws -> TextMethod {
        await textLock.lock()
        do {
            let key = try await serialNumber()
            let method = try await HostFileLock.forPhone(key).holding(timeout: configuration.typingLockTimeout) {
                try await self.enterTextLocked(text, replacing: replacing)
            }
            await textLock.unlock()
            return method
        } catch {
            await textLock.unlock()
            throw error
        }
    }

    private func enterTextLocked(_ text: String, replacing: Bool) async throws -> TextMethod {
        let before = try await focusedTextField()
        let imes = try await inputMethods()
        let adb = Self.adbKeyboardIME
        guard imes.installed.contains(where: { Self.sameIME($0, adb) }) else {
            var commands: [String] = []
            if replacing { commands.append(try await clearByKeysCommand(count: before.text.count)) }
            if !text.isEmpty { commands += try await inputTextCommands(text) }
            if !commands.isEmpty { try await check(commands.joined(separator: "; ")) }
            try await confirmDelivery(of: text, replacing: replacing, before: before)
            return .inputText
        }
        let wasEnabled = imes.enabled.contains { Self.sameIME($0, adb) }
        let switched = !Self.sameIME(imes.current, adb)
        do {
            if switched {
                try await check((wasEnabled ? "" : "ime enable \(adb) >/dev/null; ") + "ime set \(adb)")
                try await waitUntilADBKeyboardListens()
            }
            var commands = replacing ? ["am broadcast -a ADB_CLEAR_TEXT"] : []
            commands += Self.chunks(of: text, maxBytes: 1500).map {
                "am broadcast -a ADB_INPUT_B64 --es msg \(Data($0.utf8).base64EncodedString())"
            }
            let output = try await check(commands.joined(separator: "; "))
            guard output.contains("Broadcast completed") else {
                throw PhoneError.unexpectedOutput(command: "am broadcast -a ADB_INPUT_B64", output: output)
            }
            // Read back while ADB Keyboard is still the IME: its commits reach the app a moment
            // after the broadcast returns.
            try await confirmDelivery(of: text, replacing: replacing, before: before)
        } catch {
            if switched { await restoreIME(imes.current, disable: wasEnabled ? nil : adb) }
            throw error
        }
        if switched { await restoreIME(imes.current, disable: wasEnabled ? nil : adb) }
        return .adbKeyboard
    }

    /// The phone's serial number (`ro.serialno`), asked once; "unknown" when it has none.
    func serialNumber() async throws -> String {
        if let cachedSerial { return cachedSerial }
        let text = try await shell("getprop ro.serialno").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let serial = text.isEmpty ? "unknown" : text
        cachedSerial = serial
        return serial
    }

    /// `MOVE_END`, then `DEL` for each of `count` characters and two more.
    func clearByKeysCommand(count: Int) async throws -> String {
        let input = try await inputTool()
        let deletes = Array(repeating: "67", count: min(count + 2, 400)).joined(separator: " ")
        return "\(input) keyevent 123; \(input) keyevent \(deletes)"
    }

    /// `input text` for printable ASCII; newlines and tabs go as key events.
    func inputTextCommands(_ text: String) async throws -> [String] {
        let input = try await inputTool()
        var commands: [String] = []
        var chunk = ""
        func flush() {
            if !chunk.isEmpty { commands.append("\(input) text " + ShellQuoting.quote(chunk.replacingOccurrences(of: " ", with: "%s"))) }
            chunk = ""
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                flush()
                commands.append("\(input) keyevent 66")
            case "\t":
                flush()
                commands.append("\(input) keyevent 61")
            case " "..."~":
                // `input text` reads "%s" as a space; keep a literal "%s" apart.
                if scalar == "s", chunk.hasSuffix("%") { flush() }
                chunk.unicodeScalars.append(scalar)
            default:
                throw PhoneError.textNeedsADBKeyboard(text)
            }
        }
        flush()
        return commands
    }

    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Splits text into pieces of at most `maxBytes` UTF-8 bytes, never inside a character.
    static func chunks(of text: String, maxBytes: Int) -> [String] {
        var out: [String] = []
        var current = ""
        var bytes = 0
        for character in text {
            let n = character.utf8.count
            if bytes + n > maxBytes, !current.isEmpty {
                out.append(current)
                current = ""
                bytes = 0
            }
            current.append(character)
            bytes += n
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
