import Foundation

/// One kernel input event, as `getevent` prints it.
public struct RawInputEvent: Sendable, Equatable {
    /// Seconds of CLOCK_MONOTONIC (with `-t`), nil without.
    public var time: Double?
    /// `/dev/input/eventN`, nil when getevent watched one device and printed no prefix.
    public var device: String?
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    public init(time: Double? = nil, device: String? = nil, type: UInt16, code: UInt16, value: Int32) {
        self.time = time
        self.device = device
        self.type = type
        self.code = code
        self.value = value
    }
}

/// Names and numbers of the Linux input constants getevent prints (linux/input-event-codes.h).
public enum InputCodes {
    public static let EV_SYN: UInt16 = 0, EV_KEY: UInt16 = 1, EV_REL: UInt16 = 2, EV_ABS: UInt16 = 3, EV_MSC: UInt16 = 4, EV_SW: UInt16 = 5
    public static let SYN_REPORT: UInt16 = 0, SYN_MT_REPORT: UInt16 = 2, SYN_DROPPED: UInt16 = 3
    public static let ABS_X: UInt16 = 0, ABS_Y: UInt16 = 1
    public static let ABS_MT_SLOT: UInt16 = 0x2f, ABS_MT_POSITION_X: UInt16 = 0x35, ABS_MT_POSITION_Y: UInt16 = 0x36, ABS_MT_TRACKING_ID: UInt16 = 0x39
    public static let BTN_TOUCH: UInt16 = 0x14a

    static let types: [String: UInt16] = ["EV_SYN": 0, "EV_KEY": 1, "EV_REL": 2, "EV_ABS": 3, "EV_MSC": 4, "EV_SW": 5, "EV_LED": 0x11, "EV_SND": 0x12, "EV_REP": 0x14, "EV_FF": 0x15]
    static let syn: [String: UInt16] = ["SYN_REPORT": 0, "SYN_CONFIG": 1, "SYN_MT_REPORT": 2, "SYN_DROPPED": 3]
    static let abs: [String: UInt16] = [
        "ABS_X": 0, "ABS_Y": 1, "ABS_Z": 2, "ABS_PRESSURE": 0x18, "ABS_DISTANCE": 0x19, "ABS_MT_SLOT": 0x2f,
        "ABS_MT_TOUCH_MAJOR": 0x30, "ABS_MT_TOUCH_MINOR": 0x31, "ABS_MT_WIDTH_MAJOR": 0x32, "ABS_MT_WIDTH_MINOR": 0x33,
        "ABS_MT_ORIENTATION": 0x34, "ABS_MT_POSITION_X": 0x35, "ABS_MT_POSITION_Y": 0x36, "ABS_MT_TOOL_TYPE": 0x37,
        "ABS_MT_BLOB_ID": 0x38, "ABS_MT_TRACKING_ID": 0x39, "ABS_MT_PRESSURE": 0x3a, "ABS_MT_DISTANCE": 0x3b
    ]
    static let keys: [String: UInt16] = [
        "KEY_ESC": 1, "KEY_BACKSPACE": 14, "KEY_ENTER": 28, "KEY_HOME": 102, "KEY_UP": 103, "KEY_LEFT": 105, "KEY_RIGHT": 106,
        "KEY_DOWN": 108, "KEY_MUTE": 113, "KEY_VOLUMEDOWN": 114, "KEY_VOLUMEUP": 115, "KEY_POWER": 116, "KEY_MENU": 139,
        "KEY_SLEEP": 142, "KEY_WAKEUP": 143, "KEY_BACK": 158, "KEY_CAMERA": 212, "KEY_SEARCH": 217, "KEY_HOMEPAGE": 172,
        "KEY_APPSELECT": 0x244, "KEY_ASSISTANT": 0x247,
        "BTN_TOOL_FINGER": 0x145, "BTN_TOOL_PEN": 0x140, "BTN_TOOL_DOUBLETAP": 0x14d, "BTN_TOUCH": 0x14a, "BTN_STYLUS": 0x14b
    ]
    static let keyNames: [UInt16: String] = Dictionary(keys.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
    static let absNames: [UInt16: String] = Dictionary(abs.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })

    static func code(_ word: String, type: UInt16) -> UInt16? {
        let table: [String: UInt16]
        switch type {
        case EV_SYN: table = syn
        case EV_ABS: table = abs
        case EV_KEY: table = keys
        default: table = [:]
        }
        return table[word] ?? UInt16(word, radix: 16)
    }
}

/// Parses `getevent` output lines, with or without `-l` labels, `-t` times and device prefixes.
public enum GeteventParser {
    /// One event line; nil for anything else (`add device`, `name:` lines, blank lines).
    public static func parseLine(_ line: Substring) -> RawInputEvent? {
        var rest = line.drop { $0 == " " || $0 == "\t" }
        var time: Double?
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            time = Double(rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces))
            rest = rest[rest.index(after: close)...]
        }
        var words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        var device: String?
        if let first = words.first, first.hasSuffix(":") {
            guard first.hasPrefix("/dev/") else { return nil }
            device = String(first.dropLast())
            words.removeFirst()
        }
        guard words.count == 3 else { return nil }
        let typeWord = String(words[0]), codeWord = String(words[1]), valueWord = String(words[2])
        guard let type = InputCodes.types[typeWord] ?? UInt16(typeWord, radix: 16),
            let code = InputCodes.code(codeWord, type: type)
        else { return nil }
        let value: Int32
        switch valueWord {
        case "DOWN": value = 1
        case "UP": value = 0
        case "REPEAT": value = 2
        default:
            guard let bits = UInt32(valueWord, radix: 16) else { return nil }
            value = Int32(bitPattern: bits)
        }
        return RawInputEvent(time: time, device: device, type: type, code: code, value: value)
    }

    public static func parse(_ text: String) -> [RawInputEvent] {
        text.split(whereSeparator: \.isNewline).compactMap { parseLine($0) }
    }
}

/// The range of one absolute axis.
public struct AxisRange: Sendable, Equatable, Codable {
    public var min: Int
    public var max: Int
    public init(min: Int, max: Int) {
        self.min = min
        self.max = max
    }
}

/// An input device as `getevent -p` describes it.
public struct InputDevice: Sendable, Equatable {
    public var path: String
    public var name: String
    public var axes: [UInt16: AxisRange] = [:]
    public var properties: [String] = []

    /// A device with multitouch (or single-touch) positions: a touchscreen.
    public var isTouchscreen: Bool {
        (axes[InputCodes.ABS_MT_POSITION_X] != nil && axes[InputCodes.ABS_MT_POSITION_Y] != nil)
            || (axes[InputCodes.ABS_X] != nil && axes[InputCodes.ABS_Y] != nil && properties.contains("INPUT_PROP_DIRECT"))
    }

    /// Parses `getevent -p` or `getevent -lp`.
    public static func parse(capabilities text: String) -> [InputDevice] {
        var devices: [InputDevice] = []
        var inABS = false, inProps = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("add device"), let slash = line.range(of: "/dev/") {
                devices.append(InputDevice(path: String(line[slash.lowerBound...]).trimmingCharacters(in: .whitespaces), name: ""))
                inABS = false
                inProps = false
                continue
            }
            guard !devices.isEmpty else { continue }
            if line.hasPrefix("name:") {
                devices[devices.count - 1].name = line.dropFirst(5).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                continue
            }
            if line.hasPrefix("input props:") { inProps = true; inABS = false; continue }
            if line.hasPrefix("events:") { inProps = false; continue }
            var body = Substring(line)
            // A section header: `KEY (0001): …`, `ABS (0003): …`, `SW  (0005): …`.
            if let open = line.firstIndex(of: "("), let close = line.range(of: "): "),
                !line[..<open].isEmpty, line[..<open].allSatisfy({ $0.isUppercase || $0 == " " })
            {
                inABS = line.hasPrefix("ABS")
                inProps = false
                body = line[close.upperBound...]
            }
            if inProps {
                if line.hasPrefix("INPUT_PROP_") { devices[devices.count - 1].properties.append(line) }
                continue
            }
            guard inABS, let colon = body.range(of: ":") else { continue }
            let name = body[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let code = InputCodes.abs[name] ?? UInt16(name, radix: 16) else { continue }
            let fields = body[colon.upperBound...]
            func number(_ key: String) -> Int? {
                guard let r = fields.range(of: key + " ") else { return nil }
                return Int(fields[r.upperBound...].prefix { $0 == "-" || $0.isNumber })
            }
            if let min = number("min"), let max = number("max") {
                devices[devices.count - 1].axes[code] = AxisRange(min: min, max: max)
            }
        }
        return devices
    }
}
