import Foundation

/// The phone's input devices, as `getevent` lists them and `sendevent` writes to them: a
/// multitouch screen and a keys device. A device takes only the event codes it declares (as the
/// kernel drops the others).
struct EventDevice: Sendable {
    var number: Int
    var name: String
    /// EV_KEY codes it reports.
    var keys: [UInt16]
    /// EV_ABS codes it reports, with their maximum (the minimum is 0).
    var axes: [(code: UInt16, max: Int)]
    var direct: Bool

    var path: String { "/dev/input/event\(number)" }

    func accepts(type: UInt16, code: UInt16) -> Bool {
        switch type {
        case EventCode.EV_SYN: true
        case EventCode.EV_KEY: keys.contains(code)
        case EventCode.EV_ABS: axes.contains { $0.code == code }
        default: false
        }
    }
}

/// The Linux input constants the virtual phone reads and writes (linux/input-event-codes.h).
enum EventCode {
    static let EV_SYN: UInt16 = 0, EV_KEY: UInt16 = 1, EV_ABS: UInt16 = 3
    static let SYN_REPORT: UInt16 = 0
    static let ABS_MT_SLOT: UInt16 = 0x2f, ABS_MT_TOUCH_MAJOR: UInt16 = 0x30
    static let ABS_MT_POSITION_X: UInt16 = 0x35, ABS_MT_POSITION_Y: UInt16 = 0x36
    static let ABS_MT_TRACKING_ID: UInt16 = 0x39, ABS_MT_PRESSURE: UInt16 = 0x3a
    static let BTN_TOUCH: UInt16 = 0x14a
    static let KEY_HOME: UInt16 = 102, KEY_VOLUMEDOWN: UInt16 = 114, KEY_VOLUMEUP: UInt16 = 115, KEY_POWER: UInt16 = 116
    static let KEY_BACK: UInt16 = 158, KEY_HOMEPAGE: UInt16 = 172, KEY_APPSELECT: UInt16 = 0x244

    /// The Android key code each key of the keys device delivers (Generic.kl).
    static let androidKeys: [UInt16: Int] = [
        KEY_HOME: 3, KEY_HOMEPAGE: 3, KEY_BACK: 4, KEY_VOLUMEUP: 24, KEY_VOLUMEDOWN: 25, KEY_POWER: 26, KEY_APPSELECT: 187
    ]
}

extension VirtualPhone {
    /// The touchscreen and the keys, in the order `getevent` lists them.
    var eventDevices: [EventDevice] {
        let m = touchMax
        return [
            EventDevice(
                number: Self.touchDevice, name: "virtual-touchscreen", keys: [EventCode.BTN_TOUCH],
                axes: [
                    (EventCode.ABS_MT_SLOT, 9), (EventCode.ABS_MT_TOUCH_MAJOR, 255), (EventCode.ABS_MT_POSITION_X, m.x),
                    (EventCode.ABS_MT_POSITION_Y, m.y), (EventCode.ABS_MT_TRACKING_ID, 65535), (EventCode.ABS_MT_PRESSURE, 255)
                ],
                direct: true),
            EventDevice(
                number: Self.keyDevice, name: "gpio-keys",
                keys: [
                    EventCode.KEY_HOME, EventCode.KEY_VOLUMEDOWN, EventCode.KEY_VOLUMEUP, EventCode.KEY_POWER, EventCode.KEY_BACK,
                    EventCode.KEY_HOMEPAGE, EventCode.KEY_APPSELECT
                ],
                axes: [], direct: false)
        ]
    }

    /// The device at a `/dev/input/eventN` path, if there is one.
    func eventDevice(at path: String) -> EventDevice? {
        eventDevices.first { $0.path == path }
    }

    /// An event written to a device (`sendevent`): readers see it as written, and the phone acts
    /// on it as on a person's touch or key press. Codes the device does not declare are dropped,
    /// as the kernel drops them. Returns false when there is no such device.
    @discardableResult
    public func write(device path: String, type: UInt16, code: UInt16, value: Int32) -> Bool {
        guard let device = eventDevice(at: path) else { return false }
        guard device.accepts(type: type, code: code) else { return true }
        emit([(type, code, value)], device: device.number)
        if device.number == Self.touchDevice {
            for change in panel.feed(type: type, code: code, value: value) { apply(change) }
        } else if type == EventCode.EV_KEY, value == 0, let android = EventCode.androidKeys[code] {
            // The framework acts on the key's release (a press, then up).
            keyEvent(android)
            changed()
        }
        return true
    }

    func apply(_ change: TouchPanel.Change) {
        switch change {
        case .down(let rx, let ry):
            let (x, y) = screenPoint(rawX: rx, rawY: ry)
            beginTouch(x: x, y: y, time: uptime)
        case .move(let rx, let ry):
            let (x, y) = screenPoint(rawX: rx, rawY: ry)
            moveTouch(x: x, y: y)
        case .up:
            endTouch(time: uptime)
        }
    }
}
