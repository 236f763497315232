/// One `sendevent DEVICE TYPE CODE VALUE`.
public struct SendEvent: Sendable, Equatable {
    public var device: String
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    var command: String { "sendevent \(device) \(type) \(code) \(value)" }
}

/// The touchscreen as `getevent -lp` describes it: its path and the range of its position axes,
/// to turn screen pixels into the device's units.
public struct TouchDevice: Sendable, Equatable {
    public var path: String
    public var maxX: Int
    public var maxY: Int
    /// The screen's size in pixels, which the axes span.
    public var width: Int
    public var height: Int

    /// The first device with multitouch positions in `getevent -lp` output.
    static func find(in text: String) -> TouchDevice? {
        for device in InputDevice.parse(capabilities: text) {
            guard let x = device.axes[InputCodes.ABS_MT_POSITION_X], let y = device.axes[InputCodes.ABS_MT_POSITION_Y] else { continue }
            return TouchDevice(path: device.path, maxX: x.max, maxY: y.max, width: x.max + 1, height: y.max + 1)
        }
        return nil
    }

    /// The first device in `getevent -lp` output that has KEY_BACK or KEY_HOMEPAGE.
    static func keyDevice(in text: String) -> String? {
        var current: String?
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("add device"), let slash = line.range(of: "/dev/") {
                current = String(line[slash.lowerBound...]).trimmingCharacters(in: .whitespaces)
            } else if let device = current, line.contains("KEY_BACK") || line.contains("KEY_HOMEPAGE") {
                return device
            }
        }
        return nil
    }

    func raw(_ x: Int, _ y: Int) -> (Int32, Int32) {
        let rx = x * (maxX + 1) / max(width, 1), ry = y * (maxY + 1) / max(height, 1)
        return (Int32(min(max(rx, 0), maxX)), Int32(min(max(ry, 0), maxY)))
    }

    func down(x: Int, y: Int) -> [SendEvent] {
        let (rx, ry) = raw(x, y)
        return [
            event(3, InputCodes.ABS_MT_TRACKING_ID, 1), event(1, 0x14A, 1), event(3, InputCodes.ABS_MT_POSITION_X, rx),
            event(3, InputCodes.ABS_MT_POSITION_Y, ry), event(0, 0, 0)
        ]
    }

    func move(x: Int, y: Int) -> [SendEvent] {
        let (rx, ry) = raw(x, y)
        return [event(3, InputCodes.ABS_MT_POSITION_X, rx), event(3, InputCodes.ABS_MT_POSITION_Y, ry), event(0, 0, 0)]
    }

    func up() -> [SendEvent] {
        [event(3, InputCodes.ABS_MT_TRACKING_ID, -1), event(1, 0x14A, 0), event(0, 0, 0)]
    }

    func event(_ type: UInt16, _ code: UInt16, _ value: Int32) -> SendEvent {
        SendEvent(device: path, type: type, code: code, value: value)
    }
}
