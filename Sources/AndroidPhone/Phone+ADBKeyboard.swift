import ADB
import Foundation

/// The IMEs a phone has, as `ime list` and `settings` name them.
struct InputMethods: Sendable, Equatable {
    var installed: [String]
    var enabled: [String]
    /// `default_input_method`; empty or "null" when none.
    var current: String
}

extension Phone {
    /// The ADB Keyboard IME (github.com/senzhk/ADBKeyBoard).
    public static let adbKeyboardIME = "com.android.adbkeyboard/.AdbIME"

    /// Installed, enabled and current IMEs, in one round trip.
    func inputMethods() async throws -> InputMethods {
        let query = try await shell("ime list -a -s; echo ---; ime list -s; echo ---; settings get secure default_input_method").stdoutText
        let parts = query.components(separatedBy: "---\n")
        return InputMethods(
            installed: parts.first.map(Self.lines) ?? [],
            enabled: parts.count > 1 ? Self.lines(parts[1]) : [],
            current: parts.count > 2 ? Self.lines(parts[2]).first ?? "" : "")
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

    /// Selects the user's IME again, in a task of its own (awaited here) so that a cancelled
    /// caller still gets its keyboard back.
    func restoreIME(_ original: String, disable: String?) async {
        var commands: [String] = []
        if original.contains("/") { commands.append("ime set \(ShellQuoting.quote(original))") } else { commands.append("ime reset") }
        if let disable { commands.append("ime disable \(disable) >/dev/null") }
        let line = commands.joined(separator: "; ")
        let restore = Task { try await self.check(line) }
        do { _ = try await restore.value } catch {
            logger.warning("could not select the user's IME \(original) again: \(error)")
        }
    }

    /// `pkg/.Cls` and `pkg/pkg.Cls` name the same IME.
    static func sameIME(_ a: String, _ b: String) -> Bool {
        func full(_ id: String) -> String {
            let trimmed = id.trimmingCharacters(in: .whitespaces)
            let parts = trimmed.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return trimmed }
            return parts[1].hasPrefix(".") ? parts[0] + "/" + parts[0] + parts[1] : trimmed
        }
        return full(a) == full(b)
    }
}
