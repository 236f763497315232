import Foundation
import Imaging
import TetherTestSupport
import Testing
@testable import Trajectory

/// The demonstration recorder on made-up screens: which gestures become which steps.
@Suite struct RecordTests {
    /// A 720×1600 screen with a text field at the top, a Send button and, while the field has
    /// focus, nothing of the app over the bottom third (the keyboard's place).
    static func screen(app: String = "Messages", field: String? = nil, focused: Bool = false, extra: [ScreenElement] = []) -> ScreenState {
        var elements = [
            ScreenElement(className: "android.widget.FrameLayout", bounds: [0, 0, 720, 1600]),
            ScreenElement(text: "Send", resourceId: "app:id/send", className: "android.widget.Button", bounds: [560, 900, 700, 980], clickable: true)
        ]
        if let field {
            elements.append(
                ScreenElement(
                    text: field, resourceId: "app:id/body", className: "android.widget.EditText", bounds: [20, 900, 540, 980],
                    clickable: true, focusable: true, focused: focused))
        }
        return ScreenState(image: nil, width: 720, height: 1600, currentApp: app, package: "app", elements: elements + extra)
    }

    static func tap(_ x: Int, _ y: Int, at time: Double) -> HumanGesture {
        HumanGesture(kind: .tap, time: time, duration: 0.05, x: x, y: y, endX: x, endY: y)
    }

    @Test func typingOnTheKeyboardIsOneTypeStep() {
        var r = DemonstrationRecorder()
        var steps: [HumanStep] = []
        // Tap the field; the next screen shows it focused and empty.
        steps += r.screen(Self.screen(field: ""))
        steps += r.gesture(Self.tap(100, 940, at: 1), before: Self.screen(field: ""))
        steps += r.screen(Self.screen(field: "", focused: true))
        // Five keyboard taps (nothing of the app under them) as the field fills.
        for (i, text) in ["h", "he", "hel", "hell", "hello"].enumerated() {
            steps += r.gesture(Self.tap(300 + i * 10, 1300, at: 2 + Double(i)), before: Self.screen(field: String(text.dropLast()), focused: true))
            steps += r.screen(Self.screen(field: text, focused: true))
        }
        // Send: the app clears the field afterwards, which is not typing.
        steps += r.gesture(Self.tap(600, 940, at: 10), before: Self.screen(field: "hello", focused: true))
        steps += r.screen(Self.screen(field: "", focused: true))
        steps += r.finish(latest: Self.screen(field: "", focused: true))
        #expect(steps.map(\.action) == [.tap(GridPoint(x: 138, y: 587), sensitiveMessage: nil), .type("hello"), .tap(GridPoint(x: 833, y: 587), sensitiveMessage: nil)])
        #expect(steps[1].element?.resourceId == "app:id/body")
        // The Type step shows the screen before the typing began.
        #expect(steps[1].screen?.focusedField?.text == "")
        #expect(steps[2].element?.text == "Send")
    }

    @Test func textFromAnyKeyboardIsSeenInTheField() {
        // `input text` or a hardware keyboard: no taps at all, only the field's text changes.
        var r = DemonstrationRecorder()
        var steps = r.gesture(Self.tap(100, 940, at: 1), before: Self.screen(field: ""))
        steps += r.screen(Self.screen(field: "", focused: true))
        steps += r.screen(Self.screen(field: "5550102", focused: true))
        steps += r.gesture(Self.tap(600, 940, at: 5), before: Self.screen(field: "5550102", focused: true))
        steps += r.finish(latest: nil)
        #expect(steps.map(\.action?.kind) == [.tap, .type, .tap])
        #expect(steps[1].action == .type("5550102"))
    }

    /// Typing that starts before the screen is taken again after the tap on the field: the keys
    /// come with the screen from before that tap, and still make one Type.
    @Test func typingBeforeTheNextScreenIsStillTyping() {
        var r = DemonstrationRecorder()
        let unfocused = Self.screen(field: "", extra: [ScreenElement(text: "Bob Martin", className: "android.widget.TextView", bounds: [0, 1200, 720, 1300], clickable: true)])
        var steps = r.gesture(Self.tap(100, 940, at: 1), before: unfocused)
        steps += r.gesture(Self.tap(300, 1250, at: 1.5), before: unfocused)
        steps += r.gesture(Self.tap(320, 1400, at: 1.7), before: unfocused)
        steps += r.screen(Self.screen(field: "hi", focused: true))
        steps += r.gesture(Self.tap(600, 940, at: 3), before: Self.screen(field: "hi", focused: true))
        steps += r.finish(latest: nil)
        #expect(steps.map(\.action?.kind) == [.tap, .type, .tap])
        #expect(steps[1].action == .type("hi"))
    }

    @Test func twoQuickTapsAreADoubleTapAndSlowOnesAreTwoTaps() {
        var r = DemonstrationRecorder()
        var steps = r.gesture(Self.tap(600, 940, at: 1), before: Self.screen())
        steps += r.gesture(Self.tap(604, 944, at: 1.2), before: Self.screen())
        #expect(steps.count == 1 && steps[0].action == .doubleTap(GridPoint(x: 833, y: 587)))
        #expect(steps[0].gesture?.kind == .doubleTap)
        steps = r.gesture(Self.tap(600, 940, at: 3), before: Self.screen())
        steps += r.gesture(Self.tap(600, 940, at: 4), before: Self.screen())
        steps += r.finish(latest: nil)
        #expect(steps.map(\.action?.kind) == [.tap, .tap])
    }

    @Test func keysSwipesAndLongPressesBecomeTheirActions() {
        var r = DemonstrationRecorder()
        let s = Self.screen()
        let swipe = HumanGesture(
            kind: .swipe, time: 1, duration: 0.3, x: 360, y: 1200, endX: 360, endY: 400,
            path: [.init(t: 0, x: 360, y: 1200), .init(t: 0.3, x: 360, y: 400)])
        var steps = r.gesture(swipe, before: s)
        steps += r.gesture(HumanGesture(kind: .longPress, time: 2, duration: 0.8, x: 600, y: 940, endX: 600, endY: 940), before: s)
        steps += r.gesture(HumanGesture(kind: .key, time: 3, duration: 0.1, key: "KEY_BACK"), before: s)
        steps += r.gesture(HumanGesture(kind: .key, time: 4, duration: 0.1, key: "KEY_HOMEPAGE"), before: s)
        steps += r.gesture(HumanGesture(kind: .key, time: 5, duration: 0.1, key: "KEY_APPSELECT"), before: s)
        #expect(
            steps.map(\.action) == [
                .swipe(from: GridPoint(x: 500, y: 750), to: GridPoint(x: 500, y: 250)), .longPress(GridPoint(x: 833, y: 587)), .back, .home, nil
            ])
        #expect(steps[0].gesture?.path?.count == 2)
        #expect(steps[4].gesture?.key == "KEY_APPSELECT")
    }

    /// A landscape screen maps to the grid by its own width and height.
    @Test func gridCoordinatesFollowTheScreenAsTurned() {
        let landscape = ScreenState(image: nil, width: 1600, height: 720, currentApp: "Home", elements: [], rotation: 1)
        #expect(landscape.grid(x: 1599, y: 719) == GridPoint(x: 999, y: 998))
        #expect(landscape.grid(x: 800, y: 360) == GridPoint(x: 500, y: 500))
        // The pixel the grid point names is back near where the finger was.
        let p = GridPoint(x: 500, y: 500).pixel(width: 1600, height: 720)
        #expect(p.x == 800 && p.y == 360)
    }

    @Test func theWriterKeepsAHumanEpisodeInTheAgentsFormat() async throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("demo")
        let writer = try DemonstrationWriter(directory: dir, task: "text Bob", device: .init(serial: "VP1"), screens: .jpeg(quality: 60))
        var screen = Self.screen(field: "hi", focused: true)
        screen.image = try Image(width: 720, height: 1600, fill: .green)
        screen.uiXML = "<hierarchy rotation=\"0\"/>"
        let step = HumanStep(
            action: .tap(GridPoint(x: 833, y: 587), sensitiveMessage: nil), gesture: Self.tap(600, 940, at: 1),
            element: screen.element(atX: 600, y: 940), screen: screen, startedAt: Date())
        let written = try await writer.record(step)
        #expect(written.screen == "screens/step-0001.jpg" && written.uiTree == "screens/step-0001.xml")
        try await writer.finish(.finished, message: "stopped by Ctrl-C")

        let episode = try Episode(contentsOf: dir)
        #expect(episode.info.source == "human")
        #expect(episode.info.outcome == Outcome(status: .finished, message: "stopped by Ctrl-C", steps: 1))
        let back = try #require(episode.steps.first)
        #expect(back.action == #"do(action="Tap", element=[833,587])"#)
        #expect(try ActionParser.parse(back.action ?? "").action == .tap(GridPoint(x: 833, y: 587), sensitiveMessage: nil))
        #expect(back.gesture?.x == 600 && back.gesture?.kind == .tap)
        #expect(back.element?.text == "Send" && back.element?.resourceId == "app:id/send")
        #expect(back.screenWidth == 720 && back.screenHeight == 1600)
        let jpeg = try Data(contentsOf: dir.appendingPathComponent("screens/step-0001.jpg"))
        #expect(Array(jpeg.prefix(3)) == [0xFF, 0xD8, 0xFF])
        #expect(try Image(encodedData: [UInt8](jpeg)).width == 720)
        // The raw line: the documented keys.
        let line = try String(contentsOf: dir.appendingPathComponent("steps.jsonl"), encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((object["element"] as? [String: Any])?["resource_id"] as? String == "app:id/send")
        #expect((object["gesture"] as? [String: Any])?["end_x"] as? Int == 600)
        #expect(object["package"] as? String == "app")
    }
}
