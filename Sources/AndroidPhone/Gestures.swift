import Foundation

/// A point of a finger's path, in screen pixels.
public struct TouchPoint: Sendable, Equatable, Codable {
    /// Seconds since the gesture began.
    public var t: Double
    public var x: Int
    public var y: Int
}

/// One finger from down to up.
public struct TouchTrack: Sendable, Equatable, Codable {
    public var trackingId: Int
    public var slot: Int
    public var points: [TouchPoint]
}

/// What a person did: a touch gesture or a key.
public struct Gesture: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case tap, longPress = "long_press", swipe, pinch, key
    }

    public var kind: Kind
    /// Device time (CLOCK_MONOTONIC seconds) when it began.
    public var time: Double
    public var duration: Double
    /// Where the first finger went down and came up (touches only).
    public var x: Int?
    public var y: Int?
    public var endX: Int?
    public var endY: Int?
    /// How many fingers touched.
    public var fingers: Int?
    /// Every finger's path (touches only).
    public var tracks: [TouchTrack]?
    /// `KEY_BACK`, `KEY_VOLUMEUP` … (keys only).
    public var key: String?
    public var device: String?
}

/// Turns a stream of raw events into gestures: multitouch protocol B (slots, tracking ids),
/// single-touch devices (ABS_X/ABS_Y + BTN_TOUCH), keys; raw axes mapped to screen pixels.
public struct GestureRecognizer: Sendable {
    public var display: DisplayInfo
    /// Movement under this many pixels is a tap or long press (8 dp).
    public var slop: Double
    /// A still touch this long is a long press.
    public var longPressSeconds = 0.5

    let touchscreens: [String: InputDevice]
    let singleTouchscreen: InputDevice?

    struct Slot {
        var trackingId: Int?
        var rawX: Int?
        var rawY: Int?
        var dirty = false
    }

    struct Contact {
        var trackingId: Int
        var slot: Int
        var points: [(t: Double, x: Int, y: Int)] = []
        var ended = false
    }

    struct DeviceState {
        var slot = 0
        var slots: [Int: Slot] = [:]
        var contacts: [Contact] = []
        var start: Double?
        var dropped = false
        var nextSyntheticId = 1_000_000
        var touching = false
    }

    var states: [String: DeviceState] = [:]
    var keysDown: [String: Double] = [:]
    var lastTime: Double = 0

    public init(devices: [InputDevice], display: DisplayInfo) {
        self.display = display
        self.slop = 8 * Double(display.density) / 160
        let screens = devices.filter(\.isTouchscreen)
        touchscreens = Dictionary(screens.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        singleTouchscreen = screens.count == 1 ? screens[0] : nil
    }

    /// True when no finger is on any touchscreen: a new display (the phone turned) can be taken
    /// without splitting a gesture between two mappings.
    public var isIdle: Bool {
        states.values.allSatisfy { !$0.touching && $0.contacts.isEmpty }
    }

    /// Feeds one event; returns the gestures it completed.
    public mutating func feed(_ event: RawInputEvent) -> [Gesture] {
        let time = event.time ?? lastTime
        lastTime = time
        let key = event.device ?? singleTouchscreen?.path ?? ""
        if event.type == InputCodes.EV_KEY, event.code != InputCodes.BTN_TOUCH, event.code < 0x100 || event.code >= 0x160 {
            return keyEvent(event, device: key, time: time)
        }
        guard let device = touchscreens[key] ?? (event.device == nil ? singleTouchscreen : nil) else { return [] }
        var state = states[device.path] ?? DeviceState()
        defer { states[device.path] = state }
        let multitouch = device.axes[InputCodes.ABS_MT_POSITION_X] != nil
        switch (event.type, event.code) {
        case (InputCodes.EV_SYN, InputCodes.SYN_DROPPED):
            state = DeviceState()
            state.dropped = true
        case (InputCodes.EV_SYN, InputCodes.SYN_REPORT):
            if state.dropped {
                // Skip to the end of the dropped report, then start clean.
                state.dropped = false
                state.slots = [:]
                return []
            }
            return syncReport(&state, device: device, time: time)
        case (InputCodes.EV_ABS, InputCodes.ABS_MT_SLOT):
            state.slot = Int(event.value)
        case (InputCodes.EV_ABS, InputCodes.ABS_MT_TRACKING_ID):
            var slot = state.slots[state.slot] ?? Slot()
            if event.value < 0 {
                slot.trackingId = nil
            } else {
                // Positions persist per slot: a new contact may omit an unchanged X or Y.
                slot.trackingId = Int(event.value)
                state.contacts.append(Contact(trackingId: Int(event.value), slot: state.slot))
            }
            slot.dirty = true
            state.slots[state.slot] = slot
            if event.value < 0, let index = state.contacts.lastIndex(where: { $0.slot == state.slot && !$0.ended }) {
                state.contacts[index].ended = true
            }
        case (InputCodes.EV_ABS, InputCodes.ABS_MT_POSITION_X) where multitouch,
            (InputCodes.EV_ABS, InputCodes.ABS_X) where !multitouch:
            state.slots[state.slot, default: Slot()].rawX = Int(event.value)
            state.slots[state.slot, default: Slot()].dirty = true
        case (InputCodes.EV_ABS, InputCodes.ABS_MT_POSITION_Y) where multitouch,
            (InputCodes.EV_ABS, InputCodes.ABS_Y) where !multitouch:
            state.slots[state.slot, default: Slot()].rawY = Int(event.value)
            state.slots[state.slot, default: Slot()].dirty = true
        case (InputCodes.EV_KEY, InputCodes.BTN_TOUCH) where !multitouch:
            // Single-touch devices: BTN_TOUCH is the finger.
            if event.value == 1 {
                state.nextSyntheticId += 1
                state.slots[0, default: Slot()].trackingId = state.nextSyntheticId
                state.contacts.append(Contact(trackingId: state.nextSyntheticId, slot: 0))
            } else if event.value == 0 {
                state.slots[0]?.trackingId = nil
                if let index = state.contacts.lastIndex(where: { !$0.ended }) { state.contacts[index].ended = true }
            }
        default:
            break
        }
        return []
    }

    mutating func syncReport(_ state: inout DeviceState, device: InputDevice, time: Double) -> [Gesture] {
        for (slotIndex, slot) in state.slots where slot.dirty {
            state.slots[slotIndex]?.dirty = false
            guard let id = slot.trackingId, let rx = slot.rawX, let ry = slot.rawY,
                let index = state.contacts.lastIndex(where: { $0.trackingId == id && $0.slot == slotIndex && !$0.ended })
            else { continue }
            if state.start == nil { state.start = time }
            let (x, y) = pixels(rawX: rx, rawY: ry, device: device)
            if let last = state.contacts[index].points.last, last.x == x, last.y == y { continue }
            state.contacts[index].points.append((time, x, y))
        }
        // Contacts that ended in this report get their last point at the end time.
        let anyActive = state.slots.values.contains { $0.trackingId != nil }
        guard !anyActive, !state.contacts.isEmpty else { return [] }
        let contacts = state.contacts.filter { !$0.points.isEmpty }
        let start = state.start ?? time
        state.contacts = []
        state.start = nil
        guard !contacts.isEmpty else { return [] }
        return [classify(contacts, start: start, end: time, device: device.path)]
    }

    func classify(_ contacts: [Contact], start: Double, end: Double, device: String) -> Gesture {
        let tracks = contacts.map { c in
            TouchTrack(trackingId: c.trackingId, slot: c.slot, points: c.points.map { TouchPoint(t: (($0.t - start) * 1e6).rounded() / 1e6, x: $0.x, y: $0.y) })
        }
        let first = contacts[0]
        let a = first.points[0], b = first.points[first.points.count - 1]
        let moved = contacts.contains { c in c.points.contains { hypot(Double($0.x - c.points[0].x), Double($0.y - c.points[0].y)) > slop } }
        let duration = max(0, end - start)
        var kind: Gesture.Kind
        if !moved {
            kind = duration >= longPressSeconds ? .longPress : .tap
        } else {
            kind = .swipe
            if contacts.count >= 2 {
                let p = contacts[0].points, q = contacts[1].points
                let before = hypot(Double(p[0].x - q[0].x), Double(p[0].y - q[0].y))
                let after = hypot(Double(p[p.count - 1].x - q[q.count - 1].x), Double(p[p.count - 1].y - q[q.count - 1].y))
                if abs(after - before) > 2 * slop { kind = .pinch }
            }
        }
        return Gesture(
            kind: kind, time: start, duration: (duration * 1e6).rounded() / 1e6, x: a.x, y: a.y, endX: b.x, endY: b.y,
            fingers: contacts.count, tracks: tracks, key: nil, device: device)
    }

    mutating func keyEvent(_ event: RawInputEvent, device: String, time: Double) -> [Gesture] {
        let name = InputCodes.keyNames[event.code] ?? String(format: "KEY_%d", event.code)
        let id = device + " " + name
        switch event.value {
        case 1:
            keysDown[id] = time
            return []
        case 0:
            let start = keysDown.removeValue(forKey: id) ?? time
            return [Gesture(kind: .key, time: start, duration: ((time - start) * 1e6).rounded() / 1e6, key: name, device: device)]
        default:
            return []
        }
    }

    /// Raw axis values to pixels of the screen as it is turned now.
    func pixels(rawX: Int, rawY: Int, device: InputDevice) -> (Int, Int) {
        let multitouch = device.axes[InputCodes.ABS_MT_POSITION_X] != nil
        let xr = device.axes[multitouch ? InputCodes.ABS_MT_POSITION_X : InputCodes.ABS_X] ?? AxisRange(min: 0, max: display.naturalWidth - 1)
        let yr = device.axes[multitouch ? InputCodes.ABS_MT_POSITION_Y : InputCodes.ABS_Y] ?? AxisRange(min: 0, max: display.naturalHeight - 1)
        let w = Double(display.naturalWidth), h = Double(display.naturalHeight)
        let nx = Double(rawX - xr.min) * w / Double(max(1, xr.max - xr.min + 1))
        let ny = Double(rawY - yr.min) * h / Double(max(1, yr.max - yr.min + 1))
        let (x, y): (Double, Double)
        switch display.rotation {
        case 1: (x, y) = (ny, w - 1 - nx)
        case 2: (x, y) = (w - 1 - nx, h - 1 - ny)
        case 3: (x, y) = (h - 1 - ny, nx)
        default: (x, y) = (nx, ny)
        }
        return (Int(x.rounded(.down)), Int(y.rounded(.down)))
    }
}
