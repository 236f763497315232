import ADB
import Imaging

/// Everything that can go wrong driving a phone. Each case says what went wrong; `description`
/// adds what to do about it.
public enum PhoneError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The phone did not answer in time.
    case timeout(action: String, after: Duration)
    /// The connection to the phone ended (unplugged, adbd restarted, network gone).
    case disconnected(action: String, reason: String)
    /// The screen shows a window that forbids capture (FLAG_SECURE): the frame came back black.
    case secureScreen(foreground: String?)
    /// The display is off or the phone is asleep, so there is nothing to capture or touch.
    case screenOff
    /// The phone is locked with a PIN, pattern or password that a swipe cannot open.
    case locked
    /// A device command failed.
    case commandFailed(command: String, status: Int32?, output: String)
    /// A device command answered in a form Tether does not understand.
    case unexpectedOutput(command: String, output: String)
    /// A screenshot could not be decoded.
    case badScreenshot(String)
    /// No installed app matches the name.
    case appNotFound(String, suggestions: [String])
    /// Non-ASCII text needs the ADB Keyboard IME, which is not installed.
    case textNeedsADBKeyboard(String)
    /// No editable text field has focus (the UI tree shows none focused, or ADB Keyboard never
    /// started listening after it was selected): there is nowhere to type.
    case noFocusedTextField
    /// The text was sent but the focused field did not change as expected: it went nowhere.
    case textNotDelivered(expected: String, field: String)
    /// `uiautomator dump` kept failing.
    case uiDumpFailed(String)
    /// An argument that cannot work (a key name, a negative duration, …).
    case invalidArgument(String)
    /// An app's label could not be read from its APK (unreadable file, damaged ZIP, manifest or
    /// resource table).
    case apkUnreadable(package: String, reason: String)

    public var description: String {
        switch self {
        case .timeout(let action, let after):
            return "the phone did not answer `\(action)` within \(after); check that it is awake and responsive"
        case .disconnected(let action, let reason):
            return "the phone went away during `\(action)` (\(reason)); reconnect it (check the cable or `tether devices`) and try again"
        case .secureScreen(let app):
            return "the screen is protected from capture (FLAG_SECURE\(app.map { " in \($0)" } ?? "")): the phone returned a black frame; "
                + "leave that screen or let a person take over"
        case .screenOff:
            return "the phone's screen is off; wake it with `tether unlock` (or the power button)"
        case .locked:
            return "the phone is locked with a PIN, pattern or password; unlock it by hand"
        case .commandFailed(let command, let status, let output):
            let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
            return "`\(command)` failed\(status.map { " with status \($0)" } ?? "")\(trimmed.isEmpty ? "" : ": \(trimmed.prefix(500))")"
        case .unexpectedOutput(let command, let output):
            return "`\(command)` answered something unexpected: \(output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))"
        case .badScreenshot(let message):
            return "the screenshot could not be read: \(message)"
        case .appNotFound(let name, let suggestions):
            return "no installed app is called \"\(name)\""
                + (suggestions.isEmpty ? "; `tether apps` lists them" : "; did you mean \(suggestions.map { "\"\($0)\"" }.joined(separator: ", "))?")
        case .textNeedsADBKeyboard(let text):
            return "\"\(text.prefix(40))\" has characters `input text` cannot type; install and enable ADB Keyboard "
                + "(com.android.adbkeyboard, github.com/senzhk/ADBKeyBoard) on the phone"
        case .noFocusedTextField:
            return "no text field has focus; tap the field to type into first, then type again"
        case .textNotDelivered(let expected, let field):
            return "the text \"\(expected.prefix(40))\" did not arrive in the focused field (it reads \"\(field.prefix(60))\"); "
                + "check that the field still has focus and takes text, then type again"
        case .uiDumpFailed(let message):
            return "could not read the UI hierarchy: \(message)"
        case .invalidArgument(let message):
            return message
        case .apkUnreadable(let package, let reason):
            return "cannot read the label of \(package) from its APK: \(reason); the app is still listed and can be launched by package name"
        }
    }
}

extension PhoneError {
    /// Maps what the transport threw into what the caller of `action` needs to know.
    static func from(_ error: any Error, action: String, timeout: Duration?) -> any Error {
        if let error = error as? PhoneError { return error }
        if let error = error as? ADBError {
            switch error {
            case .timeout: return PhoneError.timeout(action: action, after: timeout ?? .zero)
            case .connectionClosed(let m), .io(let m), .usb(let m), .serviceRefused(let m), .malformedPacket(let m), .protocolViolation(let m):
                return PhoneError.disconnected(action: action, reason: m)
            default: return error
            }
        }
        if let error = error as? ImagingError { return PhoneError.badScreenshot(error.description) }
        return error
    }
}
