import ADB
import Foundation

/// `getevent`: the input devices and their event stream, in getevent's formats.
extension VirtualPhoneShell {
    static let eventTypes: [UInt16: String] = [0: "EV_SYN", 1: "EV_KEY", 3: "EV_ABS"]
    static let absCodes: [UInt16: String] = [
        0x2f: "ABS_MT_SLOT", 0x30: "ABS_MT_TOUCH_MAJOR", 0x35: "ABS_MT_POSITION_X", 0x36: "ABS_MT_POSITION_Y",
        0x39: "ABS_MT_TRACKING_ID", 0x3a: "ABS_MT_PRESSURE"
    ]
    static let keyCodes: [UInt16: String] = [
        0x14a: "BTN_TOUCH", 102: "KEY_HOME", 114: "KEY_VOLUMEDOWN", 115: "KEY_VOLUMEUP", 116: "KEY_POWER", 158: "KEY_BACK",
        172: "KEY_HOMEPAGE", 0x244: "KEY_APPSELECT"
    ]

    static func label(_ event: InputEvent) -> (String, String, String) {
        let type = eventTypes[event.type] ?? String(format: "%04x", event.type)
        var code = String(format: "%04x", event.code)
        var value = String(format: "%08x", UInt32(bitPattern: event.value))
        switch event.type {
        case 0: code = event.code == 0 ? "SYN_REPORT" : code
        case 1:
            code = keyCodes[event.code] ?? code
            value = event.value == 1 ? "DOWN" : event.value == 0 ? "UP" : "REPEAT"
        case 3: code = absCodes[event.code] ?? code
        default: break
        }
        return (type, code, value)
    }

    static func format(_ event: InputEvent, labels: Bool, time: Bool, prefix: Bool) -> String {
        var line = ""
        if time {
            let sec = Int(event.time), usec = Int((event.time - Double(sec)) * 1_000_000)
            line += "[" + String(repeating: " ", count: max(0, 8 - String(sec).count)) + "\(sec)." + String(format: "%06d", usec) + "] "
        }
        if prefix { line += "/dev/input/event\(event.device): " }
        if labels {
            let (t, c, v) = label(event)
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count) }
            line += pad(t, 12) + " " + pad(c, 20) + " " + (event.type == 1 ? pad(v, 20) : v)
        } else {
            line += String(format: "%04x %04x %08x", event.type, event.code, UInt32(bitPattern: event.value))
        }
        return line + "\n"
    }

    func getevent(_ args: [String], io: ShellIO) async throws -> Int32 {
        var labels = false, time = false, quiet = false, capabilities = false
        var limit: Int?
        var device: String?
        var i = 0
        while i < args.count {
            let a = args[i]
            if a.hasPrefix("-") {
                for c in a.dropFirst() {
                    switch c {
                    case "l": labels = true
                    case "t": time = true
                    case "q": quiet = true
                    case "p": capabilities = true
                    case "c": if i + 1 < args.count { limit = Int(args[i + 1]); i += 1 }
                    default: break
                    }
                }
            } else {
                device = a
            }
            i += 1
        }
        let devices = await phone.eventDevices
        let shown = devices.filter { device == nil || device == $0.path }
        if capabilities {
            for (n, d) in shown.enumerated() {
                try await io.out(Self.capabilities(of: d, index: n + 1, labels: labels))
            }
            return 0
        }
        let (id, stream) = await phone.subscribe()
        do {
            if !quiet {
                for (n, d) in shown.enumerated() { try await io.out("add device \(n + 1): \(d.path)\n  name:     \"\(d.name)\"\n") }
            }
            var count = 0
            for await event in stream {
                if let device, device != "/dev/input/event\(event.device)" { continue }
                try await io.out(Self.format(event, labels: labels, time: time, prefix: device == nil))
                count += 1
                if let limit, count >= limit { break }
                if Task.isCancelled { break }
            }
        } catch {
            await phone.unsubscribe(id)
            throw error
        }
        await phone.unsubscribe(id)
        return 0
    }

    /// One device as `getevent -p` (or `-lp`) describes it.
    static func capabilities(of d: EventDevice, index: Int, labels: Bool) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var out = "add device \(index): \(d.path)\n  name:     \"\(d.name)\"\n  events:\n"
        let keys = d.keys.sorted().map { labels ? pad(keyCodes[$0] ?? String(format: "%04x", $0), 21) : String(format: "%04x ", $0) }
        out += "    KEY (0001): " + keys.joined(separator: " ") + "\n"
        for (j, axis) in d.axes.enumerated() {
            let name = labels ? pad(absCodes[axis.code] ?? "", 20) : String(format: "%04x", axis.code)
            out += (j == 0 ? "    ABS (0003): " : "                ") + "\(name)  : value 0, min 0, max \(axis.max), fuzz 0, flat 0, resolution 0\n"
        }
        return out + "  input props:\n" + (d.direct ? "    INPUT_PROP_DIRECT\n" : "    <none>\n")
    }
}
