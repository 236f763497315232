/// An Android key code (`KeyEvent.KEYCODE_*`), parsed from a number or a name.
public struct KeyCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: Int

    public init(_ code: Int) { self.code = code }

    /// Accepts `66`, `ENTER`, `KEYCODE_ENTER`, `enter`, and a few common aliases (`backspace`,
    /// `delete`, `recents`, `volume_up`). Nil for anything else.
    public init?(name: String) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let n = Int(trimmed), (0...Self.maxCode).contains(n) {
            code = n
            return
        }
        var key = trimmed.uppercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        if key.hasPrefix("KEYCODE_") { key.removeFirst("KEYCODE_".count) }
        if let n = Self.aliases[key] ?? Self.names[key] {
            code = n
            return
        }
        if key.count == 1, let scalar = key.unicodeScalars.first {
            if ("A"..."Z").contains(scalar) { code = 29 + Int(scalar.value - 65); return }
            if ("0"..."9").contains(scalar) { code = 7 + Int(scalar.value - 48); return }
        }
        return nil
    }

    /// `KEYCODE_…` when the code has a name here, the number otherwise.
    public var name: String {
        if let name = Self.names.first(where: { $0.value == code })?.key { return "KEYCODE_" + name }
        if (29...54).contains(code), let s = UnicodeScalar(UInt32(65 + code - 29)) { return "KEYCODE_" + String(Character(s)) }
        if (7...16).contains(code) { return "KEYCODE_\(code - 7)" }
        return String(code)
    }

    public var description: String { name }

    /// The highest key code Android defines (KEYCODE_MACRO_4 in Android 14 is 316; later
    /// releases add a few): numbers above this are refused.
    public static let maxCode = 330

    public static let home = KeyCode(3), back = KeyCode(4), enter = KeyCode(66), delete = KeyCode(67)
    public static let power = KeyCode(26), wakeup = KeyCode(224), appSwitch = KeyCode(187)

    /// AOSP KeyEvent constants for the keys people name.
    static let names: [String: Int] = [
        "SOFT_LEFT": 1, "SOFT_RIGHT": 2, "HOME": 3, "BACK": 4, "CALL": 5, "ENDCALL": 6, "STAR": 17, "POUND": 18,
        "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21, "DPAD_RIGHT": 22, "DPAD_CENTER": 23,
        "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27, "CLEAR": 28,
        "COMMA": 55, "PERIOD": 56, "ALT_LEFT": 57, "ALT_RIGHT": 58, "SHIFT_LEFT": 59, "SHIFT_RIGHT": 60,
        "TAB": 61, "SPACE": 62, "SYM": 63, "EXPLORER": 64, "ENVELOPE": 65, "ENTER": 66, "DEL": 67,
        "GRAVE": 68, "MINUS": 69, "EQUALS": 70, "LEFT_BRACKET": 71, "RIGHT_BRACKET": 72, "BACKSLASH": 73,
        "SEMICOLON": 74, "APOSTROPHE": 75, "SLASH": 76, "AT": 77, "NUM": 78, "HEADSETHOOK": 79, "FOCUS": 80,
        "PLUS": 81, "MENU": 82, "NOTIFICATION": 83, "SEARCH": 84, "MEDIA_PLAY_PAUSE": 85, "MEDIA_STOP": 86,
        "MEDIA_NEXT": 87, "MEDIA_PREVIOUS": 88, "MEDIA_REWIND": 89, "MEDIA_FAST_FORWARD": 90, "MUTE": 91,
        "PAGE_UP": 92, "PAGE_DOWN": 93, "ESCAPE": 111, "FORWARD_DEL": 112, "CTRL_LEFT": 113, "CTRL_RIGHT": 114,
        "CAPS_LOCK": 115, "MOVE_HOME": 122, "MOVE_END": 123, "INSERT": 124, "MEDIA_PLAY": 126, "MEDIA_PAUSE": 127,
        "NUMPAD_ENTER": 160, "VOLUME_MUTE": 164, "APP_SWITCH": 187, "ASSIST": 219, "BRIGHTNESS_DOWN": 220,
        "BRIGHTNESS_UP": 221, "SLEEP": 223, "WAKEUP": 224, "VOICE_ASSIST": 231, "ALL_APPS": 284
    ]

    static let aliases: [String: Int] = [
        "BACKSPACE": 67, "DELETE": 67, "RETURN": 66, "RECENTS": 187, "RECENT": 187, "RECENT_APPS": 187,
        "ESC": 111, "VOLUMEUP": 24, "VOLUMEDOWN": 25, "UP": 19, "DOWN": 20, "LEFT": 21, "RIGHT": 22
    ]
}
