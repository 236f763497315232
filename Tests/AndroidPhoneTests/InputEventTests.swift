import AndroidPhone
import Foundation
import TetherTestSupport
import PhoneRig
import Testing
import Basics

/// getevent parsing and gesture recognition: logs in getevent.c's byte format (made by
/// Scripts/getevent-fixtures), generated gestures, and a person touching the virtual phone.
@Suite struct InputEventTests {
    static let pixel = DisplayInfo(naturalWidth: 1080, naturalHeight: 2400, density: 420, rotation: 0)

    func devices() throws -> [InputDevice] {
        InputDevice.parse(capabilities: try fixture("getevent/pixel-getevent-lp.txt"))
    }

    func gestures(_ log: String, display: DisplayInfo = pixel) throws -> [Gesture] {
        var recognizer = GestureRecognizer(devices: try devices(), display: display)
        return GeteventParser.parse(log).flatMap { recognizer.feed($0) }
    }

    @Test func capabilitiesGiveTheTouchscreenAndItsAxes() throws {
        let devices = try devices()
        #expect(devices.map(\.path) == ["/dev/input/event4", "/dev/input/event2", "/dev/input/event0"])
        let touch = try #require(devices.first { $0.isTouchscreen })
        #expect(touch.name == "fts_ts")
        #expect(touch.axes[0x35] == AxisRange(min: 0, max: 4319))
        #expect(touch.axes[0x36] == AxisRange(min: 0, max: 9599))
        #expect(touch.axes[0x34] == AxisRange(min: -4096, max: 4096))
        #expect(touch.properties == ["INPUT_PROP_DIRECT"])
        #expect(devices.filter(\.isTouchscreen).count == 1)

        let numeric = InputDevice.parse(capabilities: try fixture("getevent/numeric-getevent-p.txt"))
        #expect(numeric.count == 1 && numeric[0].isTouchscreen)
        #expect(numeric[0].axes[0x36] == AxisRange(min: 0, max: 1919))
    }

    @Test func lineFormats() {
        let labelled = GeteventParser.parseLine("[    5210.100000] /dev/input/event2: EV_ABS       ABS_MT_TRACKING_ID   ffffffff")
        #expect(labelled == RawInputEvent(time: 5210.1, device: "/dev/input/event2", type: 3, code: 0x39, value: -1))
        let key = GeteventParser.parseLine("/dev/input/event0: EV_KEY       KEY_VOLUMEUP         DOWN                ")
        #expect(key == RawInputEvent(device: "/dev/input/event0", type: 1, code: 115, value: 1))
        let numeric = GeteventParser.parseLine("[   12345.678901] /dev/input/event3: 0003 0035 000002f5")
        #expect(numeric == RawInputEvent(time: 12345.678901, device: "/dev/input/event3", type: 3, code: 0x35, value: 0x2f5))
        let bare = GeteventParser.parseLine("0001 014a 00000000")
        #expect(bare == RawInputEvent(type: 1, code: 0x14a, value: 0))
        for junk in ["add device 1: /dev/input/event4", "  name:     \"fts_ts\"", "", "could not get driver version for /dev/input/mouse0, Not a typewriter"] {
            #expect(GeteventParser.parseLine(Substring(junk)) == nil, "\(junk)")
        }
    }

    @Test func oneFingerLog() throws {
        let g = try gestures(try fixture("getevent/one-finger-lt.txt"))
        #expect(g.map(\.kind) == [.tap, .longPress, .swipe, .key, .key])
        #expect(g[0].x == 540 && g[0].y == 1200 && g[0].fingers == 1)
        #expect(abs(g[0].duration - 0.032) < 1e-6)
        #expect(g[1].x == 300 && g[1].y == 800 && g[1].duration >= 1.0)
        let swipe = g[2]
        #expect(swipe.x == 540 && swipe.y == 2000 && swipe.endX == 550 && swipe.endY == 500)
        #expect(swipe.tracks?.first?.points.map(\.y) == [2000, 1800, 1500, 1100, 700, 500])
        #expect(g[3].key == "KEY_VOLUMEUP" && g[3].device == "/dev/input/event0" && abs(g[3].duration - 0.12) < 1e-6)
        #expect(g[4].key == "KEY_BACK" && g[4].device == "/dev/input/event4")
    }

    @Test func twoFingerLog() throws {
        let g = try gestures(try fixture("getevent/two-finger-lt.txt"))
        // The pinch, nothing from the dropped buffer, then the two-finger swipe.
        #expect(g.map(\.kind) == [.pinch, .swipe])
        let pinch = g[0]
        #expect(pinch.fingers == 2)
        #expect(pinch.tracks?.map(\.slot) == [0, 1])
        #expect(pinch.tracks?.map(\.trackingId) == [0x1a4, 0x1a5])
        #expect(pinch.tracks?[0].points.first.map { [$0.x, $0.y] } == [500, 1200])
        #expect(pinch.tracks?[0].points.last.map { [$0.x, $0.y] } == [500, 1060])
        #expect(pinch.tracks?[1].points.last.map { [$0.x, $0.y] } == [580, 1440])
        let swipe = g[1]
        #expect(swipe.fingers == 2 && swipe.x == 400 && swipe.y == 600 && swipe.endX == 400 && swipe.endY == 900)
        #expect(swipe.tracks?[1].points.count == 6)
    }

    @Test func rotationMapsRawAxesToTheTurnedScreen() throws {
        let log = """
            /dev/input/event2: EV_ABS       ABS_MT_TRACKING_ID   00000001
            /dev/input/event2: EV_ABS       ABS_MT_POSITION_X    00000190
            /dev/input/event2: EV_ABS       ABS_MT_POSITION_Y    00000320
            /dev/input/event2: EV_SYN       SYN_REPORT           00000000
            /dev/input/event2: EV_ABS       ABS_MT_TRACKING_ID   ffffffff
            /dev/input/event2: EV_SYN       SYN_REPORT           00000000
            """
        // Raw (400, 800) is natural pixel (100, 200).
        for (rotation, expected) in [(0, (100, 200)), (1, (200, 979)), (2, (979, 2199)), (3, (2199, 100))] {
            var display = Self.pixel
            display.rotation = rotation
            let g = try gestures(log, display: display)
            #expect(g.count == 1 && g[0].x == expected.0 && g[0].y == expected.1, "rotation \(rotation): \(g)")
        }
    }

    /// Generated gestures of one to three fingers, printed in getevent's labelled or numeric
    /// format with unchanged coordinates omitted, come back with their kind, finger count and
    /// endpoints.
    @Test func generatedGesturesRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        for case_ in 0..<300 {
            let fingers = Int.random(in: 1...3, using: &rng)
            let steps = Int.random(in: 1...8, using: &rng)
            let dt = Double.random(in: 0.008...0.2, using: &rng)
            let labelled = Bool.random(using: &rng)
            var paths: [[(Int, Int)]] = []
            for _ in 0..<fingers {
                var x = Int.random(in: 50...1000, using: &rng), y = Int.random(in: 50...2300, using: &rng)
                var path = [(x, y)]
                let moves = Bool.random(using: &rng)
                let dx = Int.random(in: -60...60, using: &rng), dy = Int.random(in: -150...150, using: &rng)
                for _ in 1..<steps {
                    if moves { x = min(1079, max(0, x + dx)); y = min(2399, max(0, y + dy)) }
                    path.append((x, y))
                }
                paths.append(path)
            }
            let log = render(paths, dt: dt, labelled: labelled, start: 100 + Double(case_))
            let g = try gestures(log)
            let slop = 8.0 * 420 / 160
            try #require(g.count == 1, "case \(case_): \(g.count) gestures from\n\(log)")
            #expect(g[0].fingers == fingers)
            #expect(g[0].x == paths[0][0].0 && g[0].y == paths[0][0].1)
            #expect(g[0].endX == paths[0].last?.0 && g[0].endY == paths[0].last?.1)
            let moved = paths.contains { p in p.contains { hypot(Double($0.0 - p[0].0), Double($0.1 - p[0].1)) > slop } }
            let duration = Double(steps) * dt
            if !moved {
                #expect(g[0].kind == (duration >= 0.5 ? .longPress : .tap), "case \(case_)")
            } else {
                #expect(g[0].kind == .swipe || g[0].kind == .pinch, "case \(case_)")
                if fingers == 1 { #expect(g[0].kind == .swipe) }
            }
            #expect(abs(g[0].duration - duration) < 1e-5, "case \(case_): \(g[0].duration) vs \(duration)")
        }
    }

    /// Protocol B as a kernel driver reports it: all fingers down in the first report, moves in
    /// later reports (unchanged axes omitted), all up in the last.
    func render(_ paths: [[(Int, Int)]], dt: Double, labelled: Bool, start: Double) -> String {
        var lines: [String] = []
        func ev(_ t: Double, _ type: String, _ code: String, _ value: Int) {
            let codes: [String: (Int, Int)] = [
                "ABS_MT_SLOT": (3, 0x2f), "ABS_MT_TRACKING_ID": (3, 0x39), "ABS_MT_POSITION_X": (3, 0x35), "ABS_MT_POSITION_Y": (3, 0x36),
                "BTN_TOUCH": (1, 0x14a), "SYN_REPORT": (0, 0)
            ]
            let sec = Int(t), usec = Int(((t - Double(sec)) * 1e6).rounded())
            var line = String(format: "[%8d.%06d] /dev/input/event2: ", sec, usec)
            if labelled {
                let valueText =
                    type == "EV_KEY"
                    ? (value == 1 ? "DOWN" : "UP").padding(toLength: 20, withPad: " ", startingAt: 0)
                    : String(format: "%08x", UInt32(bitPattern: Int32(value)))
                line += type.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + code.padding(toLength: 20, withPad: " ", startingAt: 0) + " " + valueText
            } else {
                let (t, c) = codes[code] ?? (0, 0)
                line += String(format: "%04x %04x %08x", t, c, UInt32(bitPattern: Int32(value)))
            }
            lines.append(line)
        }
        let steps = paths[0].count
        var last: [(Int, Int)?] = Array(repeating: nil, count: paths.count)
        var t = start
        for step in 0..<steps {
            t = start + Double(step) * dt
            for (slot, path) in paths.enumerated() {
                let (x, y) = path[step]
                if step > 0, last[slot]! == (x, y) { continue }
                ev(t, "EV_ABS", "ABS_MT_SLOT", slot)
                if step == 0 {
                    ev(t, "EV_ABS", "ABS_MT_TRACKING_ID", 100 + slot)
                    if slot == 0 { ev(t, "EV_KEY", "BTN_TOUCH", 1) }
                }
                if last[slot]?.0 != x { ev(t, "EV_ABS", "ABS_MT_POSITION_X", x * 4) }
                if last[slot]?.1 != y { ev(t, "EV_ABS", "ABS_MT_POSITION_Y", y * 4) }
                last[slot] = (x, y)
            }
            ev(t, "EV_SYN", "SYN_REPORT", 0)
        }
        t = start + Double(steps) * dt
        for slot in paths.indices {
            ev(t, "EV_ABS", "ABS_MT_SLOT", slot)
            ev(t, "EV_ABS", "ABS_MT_TRACKING_ID", -1)
        }
        ev(t, "EV_KEY", "BTN_TOUCH", 0)
        ev(t, "EV_SYN", "SYN_REPORT", 0)
        return lines.joined(separator: "\n")
    }

    /// A person touches the virtual phone while `Phone.gestures()` listens through `getevent -lt`.
    @Test func liveGesturesFromAPersonOnTheVirtualPhone() async throws {
        try await withPhoneRig(profile: "pixel-7") { rig in
            let (seen, consumer) = try await listenForGestures(rig)
            defer { consumer.cancel() }
            await rig.device.humanTap(x: 540, y: 1200)
            await rig.device.humanSwipe(fromX: 540, fromY: 1800, toX: 540, toY: 600, milliseconds: 250)
            await rig.device.touchDown(x: 200, y: 900)
            try await Task.sleep(for: .milliseconds(650))
            await rig.device.touchUp()
            await rig.device.pressKey(24)
            // Late warm-up presses are left out.
            let wanted = { await seen.gestures.filter { $0.key != "KEY_VOLUMEDOWN" } }
            #expect(await eventually(timeout: .seconds(10)) { await wanted().count >= 4 })
            let g = await wanted()
            try #require(g.count == 4, "\(g)")
            #expect(g.map(\.kind) == [.tap, .swipe, .longPress, .key])
            #expect(abs((g[0].x ?? 0) - 540) <= 1 && abs((g[0].y ?? 0) - 1200) <= 1)
            #expect(abs((g[1].endY ?? 0) - 600) <= 1 && (g[1].tracks?.first?.points.count ?? 0) >= 5)
            #expect(g[2].duration >= 0.5)
            #expect(g[3].key == "KEY_VOLUMEUP")
        }
    }
}

extension InputEventTests {
    /// The phone turns while `gestures()` listens: gestures after the turn are in pixels of the
    /// turned screen (1080×2400 portrait becomes 2400×1080; a touch at natural (x, y) is at
    /// (y, 1079 − x) after a quarter turn).
    @Test func gesturesFollowTheDisplayWhenThePhoneTurns() async throws {
        var configuration = Phone.Configuration()
        configuration.rotationPollInterval = .milliseconds(100)
        try await withPhoneRig(profile: "pixel-7", configuration: configuration) { rig in
            let (seen, consumer) = try await listenForGestures(rig)
            defer { consumer.cancel() }
            await rig.device.humanTap(x: 200, y: 700)
            #expect(await eventually { await seen.count == 1 })
            // Turned by the shell, as `wm user-rotation lock 1` does on Android 12+.
            _ = try await rig.phone.shell("wm user-rotation lock 1")
            #expect(try await rig.phone.display().rotation == 1)
            // The stream asks again every 100 ms; a person taps until a tap comes out turned.
            var turned = false
            for _ in 0..<30 where !turned {
                let before = await seen.count
                await rig.device.humanTap(x: 200, y: 700)
                var waited = 0
                while await seen.count == before, waited < 150 {
                    try await Task.sleep(for: .milliseconds(20))
                    waited += 1
                }
                if let last = await seen.gestures.last, await seen.count > before {
                    // The person taps the turned frame at (200, 700): the panel reports natural
                    // (379, 200), which a decoder that missed the turn would give back.
                    turned = abs((last.x ?? 0) - 200) <= 1 && abs((last.y ?? 0) - 700) <= 1
                }
            }
            let all = await seen.gestures
            #expect(turned, "after the turn a tap on the turned frame at (200, 700) is decoded there: \(all)")
            let first = try #require(all.first)
            #expect(abs((first.x ?? 0) - 200) <= 1 && abs((first.y ?? 0) - 700) <= 1, "before the turn: \(first)")
        }
    }
}

/// Starts `gestures()` and presses volume-down until getevent is listening on the phone; the
/// log starts empty.
func listenForGestures(_ rig: PhoneRig) async throws -> (GestureLog, Task<Void, any Error>) {
    let seen = GestureLog()
    let stream = rig.phone.gestures()
    let consumer = Task {
        for try await g in stream { await seen.append(g) }
    }
    let listening = await eventually(timeout: .seconds(20)) {
        await rig.device.pressKey(25)
        try? await Task.sleep(for: .milliseconds(100))
        return await seen.count > 0
    }
    guard listening else {
        consumer.cancel()
        throw PhoneError.unexpectedOutput(command: "getevent -lt", output: "no volume-down press seen within 20 s")
    }
    await seen.clear()
    return (seen, consumer)
}

actor GestureLog {
    var gestures: [Gesture] = []
    var count: Int { gestures.count }
    func append(_ g: Gesture) { gestures.append(g) }
    func clear() { gestures = [] }
}
