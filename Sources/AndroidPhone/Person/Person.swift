import Foundation
import Logging

/// A person at a phone, through adb alone: finds what to touch in `uiautomator dump`, touches it
/// with `sendevent` on the touchscreen (found in `getevent -lp`), presses keys on the key device,
/// types on the on-screen keyboard, and waits for the screen to settle between steps. Works on any
/// phone whose touchscreen takes multitouch events; the keyboard is the virtual phone's
/// (`OnScreenKeyboard`, used while the AOSP keyboard is the input method), and characters it has
/// no key for, or all text under another input method, go in with `Phone.type`.
public struct Person: Sendable {
    /// How to wait after a step.
    public enum Settle: Sendable {
        /// Until two screenshots in a row agree (`Phone.waitUntilSettled`): for phones that animate.
        case screen
        /// Not at all: for a phone that applies every event before the next command (the virtual phone).
        case none
    }

    public let phone: Phone
    public let touch: TouchDevice
    /// The device with the back, home and app-switch keys; nil when the phone has none.
    public let keys: String?
    public let display: DisplayInfo
    /// The keys to type on; nil when the input method is not the AOSP keyboard whose layout
    /// `OnScreenKeyboard` knows.
    public let keyboard: OnScreenKeyboard?
    public var settle: Settle
    /// Swipes to try before a label counts as missing (it may be further down a list).
    public var scrollAttempts = 4
    /// How long a long press holds.
    public var longPressHold: Duration = .milliseconds(800)
    let logger: Logger

    /// Looks at the phone's input devices and screen.
    public init(phone: Phone, settle: Settle = .screen, logger: Logger = Logger(label: "tether.person")) async throws {
        let text = try await phone.shell("getevent -lp").stdoutText
        let display = try await phone.display()
        guard let touch = TouchDevice.find(in: text, display: display) else {
            throw PersonError(step: 0, action: "getevent -lp", reason: "the phone has no multitouch touchscreen among its input devices")
        }
        self.phone = phone
        self.touch = touch
        self.keys = TouchDevice.keyDevice(in: text)
        self.display = display
        let ime = try await phone.shell("settings get secure default_input_method").stdoutText
        self.keyboard =
            Self.knowsKeyboard(ime)
            ? OnScreenKeyboard(width: display.width, height: display.height, density: display.density) : nil
        self.settle = settle
        self.logger = logger
    }

    /// Plays the steps in order; `onStep` hears each before it is done (number from 1). Stops at
    /// the first step that cannot be done, with an error naming it.
    public func play(_ steps: [PersonStep], onStep: @Sendable (Int, PersonStep) async -> Void = { _, _ in }) async throws {
        for (i, step) in steps.enumerated() {
            await onStep(i + 1, step)
            logger.debug("person step \(i + 1): \(step)")
            do {
                try await perform(step)
            } catch let error as PersonError {
                throw PersonError(step: i + 1, action: step.description, reason: error.reason)
            } catch {
                throw PersonError(step: i + 1, action: step.description, reason: "\(error)")
            }
        }
    }

    /// Does one step.
    public func perform(_ step: PersonStep) async throws {
        switch step {
        case .launch(let label):
            try await press(.home)
            if try await find(label, scrolling: false) == nil {
                try await swipe(.up, across: nil)
            }
            try await touch(try await require(label))
        case .tap(let label):
            try await touch(try await require(label))
        case .longPress(let label):
            try await touch(try await require(label), hold: longPressHold)
        case .type(let text):
            try await type(text)
        case .key(let key):
            try await press(key)
        case .swipe(let direction, let label):
            var bounds: Bounds?
            if let label { bounds = try await require(label) }
            try await swipe(direction, across: bounds)
        case .wait(let duration):
            try await Task.sleep(for: duration)
        }
    }

    // MARK: - Finding

    /// The bounds of the node with this label on the screen now; with `scrolling`, after up to
    /// `scrollAttempts` swipes up while the screen still changes.
    func find(_ label: String, scrolling: Bool) async throws -> Bounds? {
        var previous = ""
        for attempt in 0...(scrolling ? scrollAttempts : 0) {
            let xml = try await phone.uiHierarchyXML()
            let tree = try UIHierarchy(xml: xml)
            if let bounds = Self.visible(label, in: tree, screen: (display.width, display.height)) { return bounds }
            if attempt > 0, xml == previous { break }
            previous = xml
            if scrolling, attempt < scrollAttempts { try await swipe(.up, across: nil) }
        }
        return nil
    }

    func require(_ label: String) async throws -> Bounds {
        if let bounds = try await find(label, scrolling: true) { return bounds }
        let tree = try await phone.uiHierarchy()
        let shown = tree.allNodes.flatMap { [$0.text, $0.contentDescription] }.filter { !$0.isEmpty }
        let list = shown.prefix(30).map { "\"\($0)\"" }.joined(separator: ", ")
        throw PersonError(step: 0, action: "", reason: "nothing labelled \"\(label)\" on the screen (after scrolling); the screen shows \(list)")
    }

    /// The first node whose text, content description or resource id is `label` and whose
    /// centre is on the screen. A text field holding the label comes last: after typing a name
    /// into a search box, the person means the result, not the box.
    public static func visible(_ label: String, in tree: UIHierarchy, screen: (width: Int, height: Int)) -> Bounds? {
        let matches = tree.allNodes.filter {
            $0.text == label || $0.contentDescription == label || $0.resourceId == label || $0.resourceId.hasSuffix(":id/" + label)
        }
        let typedInto = { (node: UINode) in node.className.hasSuffix("EditText") && node.text == label }
        let ordered = matches.filter { !typedInto($0) } + matches.filter(typedInto)
        return ordered.map(\.bounds).first { b in
            let c = b.center
            return b.width > 0 && b.height > 0 && c.x >= 0 && c.y >= 0 && c.x < screen.width && c.y < screen.height
        }
    }

    // MARK: - Touching

    func touch(_ bounds: Bounds, hold: Duration? = nil) async throws {
        let c = bounds.center
        if let hold {
            try await send(touch.down(x: c.x, y: c.y))
            try await Task.sleep(for: hold)
            try await send(touch.up())
        } else {
            try await send(touch.down(x: c.x, y: c.y) + touch.up())
        }
        try await settleDown()
    }

    /// Where a person's swipe in `direction` starts and ends: across the middle four fifths of
    /// `area`, through its centre; without an area, across the screen's middle three fifths.
    public static func swipePath(
        _ direction: PersonSwipe, across bounds: Bounds?, screen: (width: Int, height: Int)
    ) -> (from: (Int, Int), to: (Int, Int)) {
        let area = bounds ?? Bounds(left: 0, top: screen.height / 5, right: screen.width, bottom: screen.height * 4 / 5)
        let c = area.center
        let dx = area.width * 2 / 5, dy = area.height * 2 / 5
        switch direction {
        case .up: return ((c.x, c.y + dy), (c.x, c.y - dy))
        case .down: return ((c.x, c.y - dy), (c.x, c.y + dy))
        case .left: return ((c.x + dx, c.y), (c.x - dx, c.y))
        case .right: return ((c.x - dx, c.y), (c.x + dx, c.y))
        }
    }

    func swipe(_ direction: PersonSwipe, across bounds: Bounds?) async throws {
        let (from, to) = Self.swipePath(direction, across: bounds, screen: (display.width, display.height))
        var events = touch.down(x: from.0, y: from.1)
        let steps = 8
        for i in 1...steps {
            events += touch.move(x: from.0 + (to.0 - from.0) * i / steps, y: from.1 + (to.1 - from.1) * i / steps)
        }
        try await send(events + touch.up())
        try await settleDown()
    }

    func press(_ key: PersonKey) async throws {
        if key == .enter {
            guard let k = keyboard?.key("⏎") else {
                throw PersonError(step: 0, action: "", reason: "enter is the on-screen keyboard's ⏎, and this phone's input method is not the keyboard the person knows")
            }
            try await send(touch.down(x: k.x, y: k.y) + touch.up())
        } else if let device = keys, let code = key.linuxCode {
            try await send([
                SendEvent(device: device, type: 1, code: code, value: 1), SendEvent(device: device, type: 0, code: 0, value: 0),
                SendEvent(device: device, type: 1, code: code, value: 0), SendEvent(device: device, type: 0, code: 0, value: 0)
            ])
        } else {
            throw PersonError(step: 0, action: "", reason: "the phone has no key device with the \(key.rawValue) key (getevent -lp)")
        }
        try await settleDown()
    }

    /// Letters, spaces, commas and periods on the keyboard's keys (⇧ before a capital); a run
    /// of other characters (digits, symbols, other scripts) with `Phone.type`, as a person
    /// switching to another keyboard page would.
    func type(_ text: String) async throws {
        var events: [SendEvent] = []
        var other = ""
        func flushKeys() async throws {
            guard !events.isEmpty else { return }
            try await send(events)
            events = []
        }
        func flushOther() async throws {
            guard !other.isEmpty else { return }
            _ = try await phone.type(other)
            other = ""
        }
        for character in text {
            if let presses = keyboard?.presses(for: character) {
                try await flushOther()
                for p in presses { events += touch.down(x: p.x, y: p.y) + touch.up() }
                if events.count > 120 { try await flushKeys() }
            } else {
                try await flushKeys()
                other.append(character)
            }
        }
        try await flushKeys()
        try await flushOther()
        try await settleDown()
    }

    func send(_ events: [SendEvent]) async throws {
        let line = events.map(\.command).joined(separator: "; ")
        let result = try await phone.shell(line)
        if let status = result.exitCode, status != 0 {
            throw PersonError(step: 0, action: "", reason: "sendevent failed (\(status)): \(result.stderrText.prefix(200))")
        }
    }

    /// Whether the input method is the AOSP keyboard (`com.android.inputmethod.latin/…`), the
    /// layout of the virtual phone's keyboard.
    static func knowsKeyboard(_ defaultInputMethod: String) -> Bool {
        defaultInputMethod.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("com.android.inputmethod.latin/")
    }

    func settleDown() async throws {
        if case .screen = settle { _ = try await phone.waitUntilSettled() }
    }
}
