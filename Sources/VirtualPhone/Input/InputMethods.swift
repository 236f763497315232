import Foundation
import Basics

/// Input methods: the installed and enabled IMEs and ADB Keyboard.
extension VirtualPhone {
    static func shortIME(_ id: String) -> String {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return id }
        return parts[0] + "/" + shortClass(fullClass(parts[1], package: parts[0]), package: parts[0])
    }

    var installedIMEs: [String] {
        [Self.latinIME] + ((profile.systemPackages ?? []).contains("com.android.adbkeyboard") ? [Self.adbIME] : [])
    }

    var adbKeyboardActive: Bool { currentIME == Self.adbIME }

    /// ADB Keyboard's broadcast receiver exists: it is the IME, a field has focus (its input
    /// view shows), and it has had `imeAttachDelay` to create that view.
    var adbKeyboardListening: Bool {
        adbKeyboardActive && topEntry?.focus != nil && uptime >= imeSelectedAt + imeAttachDelay
    }

    /// For tests: a slow phone's IME.
    public func setIMEAttachDelay(_ seconds: Double) { imeAttachDelay = seconds }

    /// `ime enable|disable|set`.
    func imeCommand(_ verb: String, _ id: String) -> (String, Int32) {
        let short = Self.shortIME(id)
        guard installedIMEs.contains(short) else {
            return verb == "set"
                ? ("Unknown input method \(id) cannot be selected for user #0\n", 255)
                : ("Unknown input method \(id) cannot be enabled for user #0\n", 255)
        }
        switch verb {
        case "enable":
            if enabledIMEs.contains(short) { return ("Input method \(id): already enabled for user #0\n", 0) }
            enabledIMEs.append(short)
            settings["secure"]?["enabled_input_methods"] = enabledIMEs.joined(separator: ":")
            return ("Input method \(id): now enabled for user #0\n", 0)
        case "disable":
            enabledIMEs.removeAll { $0 == short }
            settings["secure"]?["enabled_input_methods"] = enabledIMEs.joined(separator: ":")
            if currentIME == short { currentIME = enabledIMEs.first ?? Self.latinIME }
            changed()
            return ("Input method \(id): now disabled for user #0\n", 0)
        default:
            guard enabledIMEs.contains(short) else { return ("Unknown input method \(id) cannot be selected for user #0\n", 255) }
            if currentIME != short { imeSelectedAt = uptime }
            currentIME = short
            settings["secure"]?["default_input_method"] = id
            changed()
            return ("Input method \(id) selected for user #0\n", 0)
        }
    }

    func imeList(all: Bool) -> [String] { all ? installedIMEs : enabledIMEs }

    func imeReset() -> String {
        enabledIMEs = [Self.latinIME]
        currentIME = Self.latinIME
        settings["secure"]?["default_input_method"] = Self.latinIME
        changed()
        return "Reset current and enabled IMEs for user #0\n  Selected: \(Self.latinIME)\n"
    }

    /// ADB Keyboard broadcasts: they reach the field only while that IME is the current one.
    func adbKeyboard(_ action: String, extras: [String: JSON]) {
        guard adbKeyboardListening else { return }
        switch action {
        case "ADB_INPUT_TEXT": type(extras["msg"]?.text ?? "")
        case "ADB_INPUT_B64":
            if let data = Data(base64Encoded: extras["msg"]?.text ?? "") { type(String(decoding: data, as: UTF8.self)) }
        case "ADB_CLEAR_TEXT": clearFocused()
        case "ADB_INPUT_CODE": _ = keyEvent(Int(extras["code"]?.numberValue ?? 0))
        case "ADB_EDITOR_CODE": submitFocused()
        case "ADB_INPUT_CHARS":
            let codes = extras["chars"]?.array?.compactMap { $0.numberValue } ?? []
            type(String(String.UnicodeScalarView(codes.compactMap { UnicodeScalar(UInt32($0)) })))
        default: break
        }
    }
}
