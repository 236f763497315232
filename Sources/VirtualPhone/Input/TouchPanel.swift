/// The touchscreen's kernel state: multitouch protocol B (slots, tracking ids, positions that
/// persist per slot), or BTN_TOUCH alone. Each SYN_REPORT turns what changed into the first
/// finger's down, move or up; further fingers are tracked but drive nothing (the phone's
/// gestures are one-finger).
struct TouchPanel: Sendable {
    enum Change: Sendable, Equatable {
        case down(Int32, Int32)
        case move(Int32, Int32)
        case up
    }

    struct Slot: Sendable {
        var trackingId: Int32?
        var x: Int32?
        var y: Int32?
    }

    var slot = 0
    var slots: [Int: Slot] = [:]
    var buttonDown = false
    /// The finger that drives the phone, as last reported: its slot, tracking id and position.
    var primary: (slot: Int, id: Int32?, x: Int32, y: Int32)?

    mutating func feed(type: UInt16, code: UInt16, value: Int32) -> [Change] {
        switch (type, code) {
        case (EventCode.EV_ABS, EventCode.ABS_MT_SLOT): slot = Int(value)
        case (EventCode.EV_ABS, EventCode.ABS_MT_TRACKING_ID): slots[slot, default: Slot()].trackingId = value < 0 ? nil : value
        case (EventCode.EV_ABS, EventCode.ABS_MT_POSITION_X): slots[slot, default: Slot()].x = value
        case (EventCode.EV_ABS, EventCode.ABS_MT_POSITION_Y): slots[slot, default: Slot()].y = value
        case (EventCode.EV_KEY, EventCode.BTN_TOUCH): buttonDown = value != 0
        case (EventCode.EV_SYN, EventCode.SYN_REPORT): return report()
        default: break
        }
        return []
    }

    /// The contact that drives the phone now: the lowest slot with a tracking id and a position,
    /// or slot 0 while BTN_TOUCH is down on a panel that sent no tracking id.
    func current() -> (slot: Int, id: Int32?, x: Int32, y: Int32)? {
        if let (index, s) = slots.filter({ $0.value.trackingId != nil && $0.value.x != nil && $0.value.y != nil })
            .min(by: { $0.key < $1.key }), let x = s.x, let y = s.y
        {
            return (index, s.trackingId, x, y)
        }
        let tracked = slots.values.contains { $0.trackingId != nil }
        if buttonDown, !tracked, let s = slots[0], let x = s.x, let y = s.y { return (0, nil, x, y) }
        return nil
    }

    mutating func report() -> [Change] {
        let now = current()
        defer { primary = now }
        switch (primary, now) {
        case (nil, nil): return []
        case (nil, let n?): return [.down(n.x, n.y)]
        case (_?, nil): return [.up]
        case (let p?, let n?):
            if p.slot != n.slot || p.id != n.id { return [.up, .down(n.x, n.y)] }
            return p.x == n.x && p.y == n.y ? [] : [.move(n.x, n.y)]
        }
    }
}
