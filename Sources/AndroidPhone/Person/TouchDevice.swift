/// One `sendevent DEVICE TYPE CODE VALUE`.
public struct SendEvent: Sendable, Equatable {
    public var device: String
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    var command: String { "sendevent \(device) \(type) \(code) \(value)" }
}

/// The touchscreen as `getevent -lp` describes it: its path and the range of its position axes,
/// to turn pixels of the screen as it is turned into the device's units (which follow the
/// display's natural orientation).
public struct TouchDevice: Sendable, Equatable {
    public var path: String
    public var x: AxisRange
    public var y: AxisRange
    /// The display the axes span; its rotation turns the screen's pixels back to natural ones.
    public var display: DisplayInfo

    /// The first device with multitouch positions in `getevent -lp` output, spanning `display`.
    static func find(in text: String, display: DisplayInfo) -> TouchDevice? {
        for device in InputDevice.parse(capabilities: text) {
            guard let x = device.axes[InputCodes.ABS_MT_POSITION_X], let y = device.axes[InputCodes.ABS_MT_POSITION_Y] else { continue }
            return TouchDevice(path: device.path, x: x, y: y, display: display)
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

    /// Axis values for a pixel of the screen as it is turned now (the inverse of
    /// `GestureRecognizer.pixels`).
    func raw(_ px: Int, _ py: Int) -> (Int32, Int32) {
        let w = display.naturalWidth, h = display.naturalHeight
        // A flipped axis counts down from w - 1; the centre of the natural pixel before it maps
        // back (w - 1 - n, rounded down) onto this pixel.
        let (nx, ny): (Int, Int) =
            switch display.rotation {
            case 1: (w - 2 - py, px)
            case 2: (w - 2 - px, h - 2 - py)
            case 3: (py, h - 2 - px)
            default: (px, py)
            }
        func scale(_ n: Int, _ natural: Int, _ axis: AxisRange) -> Int32 {
            let value = axis.min + Int((Double(n) + 0.5) * Double(axis.max - axis.min + 1) / Double(max(natural, 1)))
            return Int32(min(max(value, axis.min), axis.max))
        }
        return (scale(nx, w, x), scale(ny, h, y))
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
