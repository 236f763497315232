import AndroidPhone

/// Maestro's key names (`Home`, `Volume Up`, `Remote Dpad Up`, `Lock`) as Android key codes;
/// any `KEYCODE_` name or number works too.
enum FlowKeys {
    static func code(for name: String) -> KeyCode? {
        var key = name.trimmingCharacters(in: .whitespaces).lowercased()
        if key.hasPrefix("remote ") { key.removeFirst("remote ".count) }
        switch key {
        case "lock", "power": return .power
        case "backspace": return .delete
        case "escape": return KeyCode(111)
        case "remote media play pause", "media play pause": return KeyCode(85)
        default: return KeyCode(name: key)
        }
    }
}
