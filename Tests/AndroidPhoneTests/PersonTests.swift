import Foundation
import PhoneRig
import Testing
import VirtualPhone

@testable import AndroidPhone

/// The person's pieces: finding a label, the devices, the keyboard, the app drawer.
@Suite struct PersonTests {
    static let getevent = """
        add device 1: /dev/input/event3
          name:     "virtual-touchscreen"
          events:
            KEY (0001): BTN_TOUCH
            ABS (0003): ABS_MT_SLOT           : value 0, min 0, max 9, fuzz 0, flat 0, resolution 0
                        ABS_MT_POSITION_X     : value 0, min 0, max 1439, fuzz 0, flat 0, resolution 0
                        ABS_MT_POSITION_Y     : value 0, min 0, max 3199, fuzz 0, flat 0, resolution 0
                        ABS_MT_TRACKING_ID    : value 0, min 0, max 65535, fuzz 0, flat 0, resolution 0
          input props:
            INPUT_PROP_DIRECT
        add device 2: /dev/input/event1
          name:     "gpio-keys"
          events:
            KEY (0001): KEY_HOME              KEY_VOLUMEDOWN        KEY_BACK              KEY_HOMEPAGE
          input props:
            <none>
        """

    @Test func theTouchscreenAndKeyDeviceAreFoundAndPixelsScaled() throws {
        let touch = try #require(TouchDevice.find(in: Self.getevent, display: DisplayInfo(naturalWidth: 720, naturalHeight: 1600, density: 320, rotation: 0)))
        #expect(touch.path == "/dev/input/event3")
        #expect(TouchDevice.keyDevice(in: Self.getevent) == "/dev/input/event1")
        #expect(touch.down(x: 100, y: 200).map(\.value) == [1, 1, 201, 401, 0])
        #expect(touch.up().map(\.command) == ["sendevent /dev/input/event3 3 57 -1", "sendevent /dev/input/event3 1 330 0", "sendevent /dev/input/event3 0 0 0"])
    }

    /// What the person sends lands where the recorder (`GestureRecognizer`) says it did, however
    /// the phone is turned.
    @Test(arguments: 0...3)
    func touchesLandOnTheSamePixelInEveryRotation(rotation: Int) throws {
        let display = DisplayInfo(naturalWidth: 720, naturalHeight: 1600, density: 320, rotation: rotation)
        let touch = try #require(TouchDevice.find(in: Self.getevent, display: display))
        let device = try #require(InputDevice.parse(capabilities: Self.getevent).first)
        let recognizer = GestureRecognizer(devices: [device], display: display)
        for (x, y) in [(0, 0), (100, 200), (display.width - 1, display.height - 1), (display.width / 2, 37)] {
            let (rx, ry) = touch.raw(x, y)
            let back = recognizer.pixels(rawX: Int(rx), rawY: Int(ry), device: device)
            #expect(back.0 == x && back.1 == y, "rotation \(rotation): (\(x), \(y)) came back as \(back)")
        }
    }

    @Test func aListItemIsPreferredToTheSearchFieldHoldingTheSameText() throws {
        let xml = """
            <?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">\
            <node index="0" text="Bob Martin" resource-id="com.android.contacts:id/search" class="android.widget.EditText" package="com.android.contacts" content-desc="" bounds="[32,216][688,328]" />\
            <node index="1" text="Bob Martin" resource-id="" class="android.widget.TextView" package="com.android.contacts" content-desc="" bounds="[144,372][380,416]" />\
            <node index="2" text="Hidden" resource-id="" class="android.widget.TextView" package="com.android.contacts" content-desc="" bounds="[0,0][0,0]" />\
            </hierarchy>
            """
        let tree = try UIHierarchy(xml: xml)
        #expect(Person.visible("Bob Martin", in: tree, screen: (720, 1600)) == Bounds(left: 144, top: 372, right: 380, bottom: 416))
        #expect(Person.visible("search", in: tree, screen: (720, 1600)) == Bounds(left: 32, top: 216, right: 688, bottom: 328))
        #expect(Person.visible("Hidden", in: tree, screen: (720, 1600)) == nil, "a node with no size is not on the screen")
    }

    @Test func theKeyboardIsOnlyTypedOnUnderTheInputMethodWhoseLayoutIsKnown() {
        #expect(Person.knowsKeyboard("com.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME\n"))
        #expect(!Person.knowsKeyboard("com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"))
        #expect(!Person.knowsKeyboard("com.android.adbkeyboard/.AdbIME"))
    }

    @Test func theKeyboardTypesLettersWithShiftAndLeavesDigitsToAnotherWay() throws {
        let keyboard = OnScreenKeyboard(width: 720, height: 1600, density: 320)
        let q = try #require(keyboard.key("q")), p = try #require(keyboard.key("p")), space = try #require(keyboard.key(" "))
        #expect(q.y == p.y && q.x < p.x)
        #expect(space.y > q.y && space.x > q.x && space.x < p.x)
        #expect(keyboard.presses(for: "B")?.count == 2, "a capital is ⇧ then the letter")
        #expect(keyboard.presses(for: "b")?.count == 1)
        #expect(keyboard.presses(for: "5") == nil)
        #expect(keyboard.presses(for: "⌫") != nil)
        // The keyboard fills the 232 dp above the 48 dp navigation bar.
        #expect(q.y > 1600 - 96 - 464 && space.y < 1600 - 96)
    }
}

extension PersonTests {
    /// An app that is not on the home screen is launched from the app drawer (a swipe up).
    @Test func launchFindsAnAppInTheDrawer() async throws {
        let check = try JSONDecoder().decode(TaskCheck.self, from: Data(#"{"app": "com.tether.notes", "path": "notes", "count": 0}"#.utf8))
        let task = TaskDefinition(
            id: "drawer", level: .easy, instruction: "Open Notes.", instructionZh: "打开笔记。", apps: ["com.tether.notes"],
            setup: ["com.android.launcher3": .object(["home": .array([.string("com.android.messaging")])])], check: check)
        try await withPhoneRig(task: "drawer", adjust: { $0.tasks.append(task) }) { rig in
            let person = try await Person(phone: rig.phone, settle: .none)
            let home = try await rig.phone.uiHierarchy()
            #expect(home.find("Notes") == nil, "Notes is not on the home screen")
            try await person.play([.launch("Notes")])
            #expect(try await rig.phone.foregroundApp()?.package == "com.tether.notes")
        }
    }
}
