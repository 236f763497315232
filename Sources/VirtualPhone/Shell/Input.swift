import ADB

/// `input`: text, key events, taps, swipes and motion events, as a phone's input tool takes them.
extension VirtualPhoneShell {
    static let keyNames: [String: Int] = [
        "HOME": 3, "BACK": 4, "CALL": 5, "ENDCALL": 6, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21, "DPAD_RIGHT": 22,
        "DPAD_CENTER": 23, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27, "CLEAR": 28, "COMMA": 55, "PERIOD": 56,
        "TAB": 61, "SPACE": 62, "ENTER": 66, "DEL": 67, "AT": 77, "PLUS": 81, "MINUS": 69, "MENU": 82, "SEARCH": 84,
        "ESCAPE": 111, "MOVE_HOME": 122, "MOVE_END": 123, "NUMPAD_ENTER": 160, "VOLUME_MUTE": 164, "APP_SWITCH": 187,
        "SLEEP": 223, "WAKEUP": 224, "FORWARD_DEL": 112
    ]

    static func keyCode(_ s: String) -> Int? {
        if let n = Int(s) { return n }
        var name = s.uppercased()
        if name.hasPrefix("KEYCODE_") { name.removeFirst(8) }
        if let n = keyNames[name] { return n }
        if name.count == 1, let c = name.unicodeScalars.first {
            if ("A"..."Z").contains(c) { return 29 + Int(c.value - 65) }
            if ("0"..."9").contains(c) { return 7 + Int(c.value - 48) }
        }
        return nil
    }

    static let inputUsage = """
        Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]

        The sources are:
              keyboard dpad gamepad touchscreen mouse stylus trackball touchpad touchnavigation joystick

        The commands and default sources are:
              text <string> (Default: keyboard)
              keyevent [--longpress|--doubletap|--async|--delay <duration between keycodes in ms>] <key code number or name> ... (Default: keyboard)
              tap <x> <y> (Default: touchscreen)
              swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
              draganddrop <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
              press (Default: trackball)
              roll <dx> <dy> (Default: trackball)
              motionevent <DOWN|UP|MOVE|CANCEL> <x> <y> (Default: touchscreen)
              keycombination [-t duration(ms)] <key code 1> <key code 2> ... (Default: keyboard)

        """

    func input(_ argsIn: [String], io: ShellIO) async throws -> Int32 {
        var args = argsIn
        let sources: Set<String> = ["keyboard", "dpad", "gamepad", "touchscreen", "mouse", "stylus", "trackball", "touchpad", "touchnavigation", "joystick"]
        if let first = args.first, sources.contains(first) { args.removeFirst() }
        if args.first == "-d", args.count >= 2 { args.removeFirst(2) }
        guard let command = args.first else {
            try await io.err(Self.inputUsage)
            return 1
        }
        let rest = Array(args.dropFirst())
        func coords(_ n: Int) -> [Int]? {
            guard rest.count >= n else { return nil }
            let values = rest.prefix(n).compactMap { Double($0) }
            return values.count == n ? values.map { Int($0.rounded(.down)) } : nil
        }
        switch command {
        case "text":
            guard let text = rest.first else { try await io.err(Self.inputUsage); return 1 }
            let typed = rest.joined(separator: " ").replacingOccurrences(of: "%s", with: " ")
            let ascii = String(typed.unicodeScalars.filter { $0.isASCII }.map(Character.init))
            if ascii.count != typed.count {
                try await io.err("Exception occurred while executing 'text':\njava.lang.IllegalArgumentException: Unable to map characters of \(text) to key events\n")
            }
            await phone.injectText(ascii)
            return 0
        case "keyevent", "keycombination":
            var longPress = false
            var codes: [Int] = []
            var i = 0
            while i < rest.count {
                let w = rest[i]
                if w == "--longpress" {
                    longPress = true
                } else if w == "--doubletap" || w == "--async" {
                } else if w == "--delay" || w == "-t" {
                    i += 1
                } else if let code = Self.keyCode(w) {
                    codes.append(code)
                } else {
                    try await io.err("Exception occurred while executing 'keyevent':\njava.lang.IllegalArgumentException: Unknown keycode: \(w)\n")
                    return 1
                }
                i += 1
            }
            guard !codes.isEmpty else { try await io.err(Self.inputUsage); return 1 }
            for code in codes { _ = await phone.injectKey(code, longPress: longPress) }
            return 0
        case "tap":
            guard let c = coords(2) else { try await io.err(Self.inputUsage); return 1 }
            await phone.injectTap(x: c[0], y: c[1])
            return 0
        case "swipe", "draganddrop":
            guard let c = coords(4) else { try await io.err(Self.inputUsage); return 1 }
            let duration = rest.count > 4 ? Int(rest[4]) ?? 300 : 300
            await phone.injectSwipe(c[0], c[1], c[2], c[3], milliseconds: command == "draganddrop" ? duration + 500 : duration)
            return 0
        case "motionevent":
            guard rest.count >= 3, let x = Double(rest[1]), let y = Double(rest[2]) else { try await io.err(Self.inputUsage); return 1 }
            let action = rest[0].uppercased()
            guard ["DOWN", "UP", "MOVE", "CANCEL"].contains(action) else {
                try await io.err("Exception occurred while executing 'motionevent':\njava.lang.IllegalArgumentException: Unknown action: \(rest[0])\n")
                return 1
            }
            await phone.injectMotion(action, x: Int(x), y: Int(y))
            return 0
        case "press", "roll":
            return 0
        default:
            try await io.err("Error: Unknown command: \(command)\n" + Self.inputUsage)
            return 1
        }
    }
}
