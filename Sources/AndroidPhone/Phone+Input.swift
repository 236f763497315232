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
    /// The ADB Keyboard IME (github.com/senzhk/ADBKeyBoard).
    public static let adbKeyboardIME = "com.android.adbkeyboard/.AdbIME"

    // MARK: - Touch

    public func tap(x: Int, y: Int) async throws {
        try Self.validate(x, y)
        let input = try await inputTool()
        try await check("\(input) tap \(x) \(y)")
    }

    /// Two taps sent as one shell command, so that both land inside the double-tap window
    /// (300 ms) instead of paying a round trip between them.
    public func doubleTap(x: Int, y: Int) async throws {
        try Self.validate(x, y)
        let input = try await inputTool()
        try await check("\(input) tap \(x) \(y); \(input) tap \(x) \(y)")
    }

    public func longPress(x: Int, y: Int, duration: Duration = .milliseconds(800)) async throws {
        try Self.validate(x, y)
        let input = try await inputTool()
        try await check("\(input) swipe \(x) \(y) \(x) \(y) \(try Self.milliseconds(duration))", timeout: configuration.commandTimeout + duration)
    }

    public func swipe(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int, duration: Duration = .milliseconds(300)) async throws {
        try Self.validate(x1, y1)
        try Self.validate(x2, y2)
        let input = try await inputTool()
        try await check("\(input) swipe \(x1) \(y1) \(x2) \(y2) \(try Self.milliseconds(duration))", timeout: configuration.commandTimeout + duration)
    }

    /// Presses and releases one key (`KeyCode.back`, `KeyCode(name: "ENTER")`, …).
    public func key(_ key: KeyCode, longPress: Bool = false) async throws {
        let input = try await inputTool()
        try await check("\(input) keyevent \(longPress ? "--longpress " : "")\(key.code)")
    }

    /// Presses a key given by name or number; throws `invalidArgument` for an unknown name.
    public func key(named name: String) async throws {
        guard let code = KeyCode(name: name) else {
            throw PhoneError.invalidArgument("unknown key \"\(name)\"; use a KEYCODE_ name (HOME, BACK, ENTER, DEL, VOLUME_UP, …) or a number")
        }
        try await key(code)
    }

    static func validate(_ x: Int, _ y: Int) throws {
        guard x >= 0, y >= 0 else { throw PhoneError.invalidArgument("coordinates (\(x), \(y)) are off the screen") }
    }

    static func milliseconds(_ duration: Duration) throws -> Int {
        let ms = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        guard ms >= 0, ms <= 600_000 else { throw PhoneError.invalidArgument("duration \(duration) must be between 0 and 10 minutes") }
        return ms
    }

    /// `cmd input` where the phone has it (Android 11+: the input shell command runs inside
    /// system_server), else `input` (a script that starts a new process, on Android ≤ 10 a JVM).
    /// Asked once per phone.
    func inputTool() async throws -> String {
        if let has = cachedHasCmdInput { return has ? "cmd input" : "input" }
        let usage = try await shell("cmd input 2>&1 | head -n 3").stdoutText
        let has = usage.contains("Usage: input")
        cachedHasCmdInput = has
        return has ? "cmd input" : "input"
    }

    // MARK: - Text

    /// Types `text` into the focused field.
    ///
    /// With ADB Keyboard installed, the text goes as base64 in one broadcast per chunk, any
    /// Unicode included: the IME is enabled and selected first when it is not, and the user's
    /// IME is selected again afterwards — also when typing failed or was cancelled. Without it,
    /// printable ASCII goes through an escaped `input text`; anything else is an error that
    /// says to install ADB Keyboard.
    @discardableResult
    public func type(_ text: String) async throws -> TextMethod {
        guard !text.isEmpty else { return .inputText }
        await textLock.lock()
        do {
            let method = try await typeLocked(text)
            await textLock.unlock()
            return method
        } catch {
            await textLock.unlock()
            throw error
        }
    }

    private func typeLocked(_ text: String) async throws -> TextMethod {
        let query = try await shell("ime list -a -s; echo ---; ime list -s; echo ---; settings get secure default_input_method").stdoutText
        let parts = query.components(separatedBy: "---\n")
        let installed = parts.first.map(Self.lines) ?? []
        let enabled = parts.count > 1 ? Self.lines(parts[1]) : []
        let current = parts.count > 2 ? Self.lines(parts[2]).first ?? "" : ""
        let adb = Self.adbKeyboardIME
        guard installed.contains(where: { Self.sameIME($0, adb) }) else {
            try await typeWithInputText(text)
            return .inputText
        }
        let wasEnabled = enabled.contains { Self.sameIME($0, adb) }
        let wasCurrent = Self.sameIME(current, adb)
        var switched = false
        do {
            if !wasCurrent {
                switched = true
                try await check((wasEnabled ? "" : "ime enable \(adb) >/dev/null; ") + "ime set \(adb)")
                try await waitUntilADBKeyboardListens()
            }
            let commands = Self.chunks(of: text, maxBytes: 1500).map {
                "am broadcast -a ADB_INPUT_B64 --es msg \(Data($0.utf8).base64EncodedString())"
            }
            let output = try await check(commands.joined(separator: "; "))
            guard output.contains("Broadcast completed") else {
                throw PhoneError.unexpectedOutput(command: "am broadcast -a ADB_INPUT_B64", output: output)
            }
        } catch {
            if switched { await restoreIME(current, disable: wasEnabled ? nil : adb) }
            throw error
        }
        if switched { await restoreIME(current, disable: wasEnabled ? nil : adb) }
        return .adbKeyboard
    }

    /// ADB Keyboard registers its broadcast receiver when its input view is created
    /// (AdbIME.onCreateInputView), some time after `ime set` and only for a focused field;
    /// broadcasts before that reach no one and the text is lost. So: wait until the receiver shows
    /// in `dumpsys activity broadcasts com.android.adbkeyboard`. A phone whose dump never showed
    /// it gets the fixed `imeSwitchDelay` from then on.
    func waitUntilADBKeyboardListens() async throws {
        if adbKeyboardReceiverVisible == false {
            try await Task.sleep(for: configuration.imeSwitchDelay)
            return
        }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.imeAttachTimeout
        while true {
            let count = try await shell("dumpsys activity broadcasts com.android.adbkeyboard | grep -c ADB_INPUT_B64").stdoutText
            if (Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0 {
                adbKeyboardReceiverVisible = true
                return
            }
            if clock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(40))
        }
        if adbKeyboardReceiverVisible == true { throw PhoneError.noFocusedTextField }
        // Never seen on this phone: its dump may not list receivers. Type anyway, and from now
        // on wait the fixed delay instead.
        adbKeyboardReceiverVisible = false
        logger.info("ADB Keyboard's receiver does not show in dumpsys; using a fixed wait after switching IMEs")
    }

    /// Selects the user's IME again, in a task of its own so that a cancelled caller still gets
    /// its keyboard back.
    private func restoreIME(_ original: String, disable: String?) async {
        var commands: [String] = []
        if original.contains("/") { commands.append("ime set \(ShellQuoting.quote(original))") } else { commands.append("ime reset") }
        if let disable { commands.append("ime disable \(disable) >/dev/null") }
        let line = commands.joined(separator: "; ")
        let restore = Task { try await self.check(line) }
        do { _ = try await restore.value } catch {
            logger.warning("could not select the user's IME \(original) again: \(error)")
        }
    }

    /// `input text` for printable ASCII; newlines and tabs go as key events.
    func typeWithInputText(_ text: String) async throws {
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
        try await check(commands.joined(separator: "; "))
    }

    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `pkg/.Cls` and `pkg/pkg.Cls` name the same IME.
    static func sameIME(_ a: String, _ b: String) -> Bool {
        func full(_ id: String) -> String {
            let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return id }
            return parts[1].hasPrefix(".") ? parts[0] + "/" + parts[0] + parts[1] : id
        }
        return full(a) == full(b)
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
