import AndroidPhone
import Foundation
import PhoneRig
import TetherTestSupport
import Testing

/// `Phone.recordingEvents()` on the virtual phone: each gesture comes with the screen from just
/// before the finger went down, in pixels of the screen as it is turned.
@Suite struct RecordingSessionTests {
    typealias Events = AsyncThrowingStream<RecordingEvent, any Error>.AsyncIterator

    /// Presses volume-down until its gesture comes out: getevent is listening from then on.
    static func waitUntilListening(_ rig: PhoneRig, _ events: inout Events) async throws {
        for _ in 0..<100 {
            await rig.device.pressKey(25)
            for _ in 0..<20 {
                guard let event = try await events.next() else { throw TestFailure("the recording ended") }
                if case .gesture(let g, _, _) = event, g.key == "KEY_VOLUMEDOWN" { return }
                if case .screen = event { break }
            }
        }
        throw TestFailure("getevent never saw volume-down")
    }

    static func nextGesture(_ events: inout Events) async throws -> (Gesture, ScreenSnapshot?, Bool) {
        while let event = try await events.next() {
            if case .gesture(let g, let before, let fresh) = event { return (g, before, fresh) }
        }
        throw TestFailure("the recording ended")
    }

    static func nextScreen(_ events: inout Events) async throws -> ScreenSnapshot {
        while let event = try await events.next() {
            if case .screen(let s) = event { return s }
        }
        throw TestFailure("the recording ended")
    }

    @Test func aTapComesWithTheScreenFromBeforeIt() async throws {
        try await withPhoneRig { rig in
            var events = rig.phone.recordingEvents().makeAsyncIterator()
            try await Self.waitUntilListening(rig, &events)
            _ = try await Self.nextScreen(&events)
            _ = try await Self.nextScreen(&events)
            let home = try UIHierarchy(xml: await rig.device.uiHierarchyXML())
            let icon = try #require(home.find("Contacts")).bounds.center
            await rig.device.humanTap(x: icon.x, y: icon.y)
            let (tap, before, fresh) = try await Self.nextGesture(&events)
            #expect(tap.kind == .tap && abs((tap.x ?? 0) - icon.x) <= 1 && abs((tap.y ?? 0) - icon.y) <= 1)
            #expect(fresh)
            #expect(before?.foreground?.package == "com.android.launcher3")
            #expect(before?.hierarchy?.find("Contacts") != nil && before?.hierarchy?.find("Search contacts") == nil)
            // The next good screen is the app the tap opened.
            let after = try await Self.nextScreen(&events)
            #expect(after.foreground?.package == "com.android.contacts")
        }
    }

    /// Turned a quarter, the lock screen is landscape: a swipe up on it comes out in its pixels
    /// (the raw panel axes are turned by the recognizer), with a landscape screen before it.
    @Test func aSwipeOnTheTurnedScreenIsInItsPixels() async throws {
        try await withPhoneRig { rig in
            await rig.device.sleep()
            await rig.device.wakeUp()
            _ = try await rig.phone.shell("wm user-rotation lock 1")
            var events = rig.phone.recordingEvents().makeAsyncIterator()
            try await Self.waitUntilListening(rig, &events)
            let screen = try await Self.nextScreen(&events)
            #expect(screen.display.rotation == 1 && screen.image.width == 1600 && screen.image.height == 720)
            await rig.device.humanSwipe(fromX: 800, fromY: 576, toX: 800, toY: 144)
            let (swipe, before, _) = try await Self.nextGesture(&events)
            #expect(swipe.kind == .swipe)
            #expect(abs((swipe.x ?? 0) - 800) <= 1 && abs((swipe.y ?? 0) - 576) <= 1, "\(swipe)")
            #expect(abs((swipe.endX ?? 0) - 800) <= 1 && abs((swipe.endY ?? 0) - 144) <= 1, "\(swipe)")
            #expect(before?.image.width == 1600 && before?.display.rotation == 1)
            #expect(await rig.device.keyguardShowing == false)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
