import Foundation

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
}
