import AndroidPhone
import Foundation
import Imaging
import PhoneRig
import Testing
import VirtualPhone

/// Launching a chosen package, the one app-name matcher, labels in every locale, settling, and
/// messages that name what a user runs.
struct AppsAndSettleTests {
    // MARK: - Launch and matching

    /// A package the matcher already chose is started without listing packages again.
    @Test func launchingAPackageDoesNotListPackages() async throws {
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            let listings = Counter()
            rig.rules.add("pm list packages") { _, _ in
                _ = await listings.next()
                return nil
            }
            try await rig.phone.launch(package: "com.android.contacts")
            #expect(await rig.device.foreground.package == "com.android.contacts")
            #expect(await listings.value == 0)
            await #expect(throws: PhoneError.self) { try await rig.phone.launch(package: "com.example.absent") }
        }
    }

    /// `launch 设置` on a phone set to English: the label in any locale the APK has counts.
    @Test func labelsInEveryLocaleOfTheAPKMatch() async throws {
        try await withPhoneRig { (rig: PhoneRig) async throws in
            #expect(try await rig.phone.deviceLocale() == ResourceLocale(tag: "en-US"))
            #expect(try await rig.phone.launch("设置") == "com.android.settings")
            #expect(await rig.device.foreground.package == "com.android.settings")
            #expect(try await rig.phone.launch("通讯录") == "com.android.contacts")
        }
    }

    @Test func theMatcherPrefersExactThenFoldedThenOtherLocalesThenPartial() {
        let apps = [
            AppNameMatcher.Candidate(package: "com.android.settings", label: "Settings", otherLabels: ["设置", "Paramètres"]),
            AppNameMatcher.Candidate(package: "com.android.messaging", label: "Messages"),
            AppNameMatcher.Candidate(package: "com.android.calendar", label: "Calendar"),
            AppNameMatcher.Candidate(package: "com.example.cal", label: "Cal")
        ]
        #expect(AppNameMatcher.match("Settings", in: apps)?.package == "com.android.settings")
        #expect(AppNameMatcher.match("ＳＥＴＴＩＮＧＳ", in: apps)?.package == "com.android.settings")
        #expect(AppNameMatcher.match("parametres", in: apps)?.package == "com.android.settings")
        #expect(AppNameMatcher.match("设置", in: apps)?.package == "com.android.settings")
        #expect(AppNameMatcher.match("COM.ANDROID.CALENDAR", in: apps)?.package == "com.android.calendar")
        #expect(AppNameMatcher.match("Calend", in: apps)?.package == "com.android.calendar")
        #expect(AppNameMatcher.match("Cal", in: apps)?.package == "com.example.cal")
        // A typo: matched for the model, only suggested to a person.
        #expect(AppNameMatcher.match("Mesages", in: apps)?.package == "com.android.messaging")
        #expect(AppNameMatcher.match("Mesages", in: apps, typos: false) == nil)
        #expect(AppNameMatcher.suggestions(for: "Mesages", in: apps) == ["Messages"])
        #expect(AppNameMatcher.match("Weather", in: apps) == nil)
    }

    // MARK: - Settling

    /// Frames from a list, the last one repeated: a screen that moves, then stops.
    actor Frames {
        var images: [Image]
        var taken = 0
        init(_ images: [Image]) { self.images = images }
        func next() -> Image {
            taken += 1
            return images.count > 1 ? images.removeFirst() : images[0]
        }
    }

    static func frame(_ shade: UInt8) throws -> Image {
        try Image(width: 40, height: 40, fill: Color(r: shade, g: shade, b: shade, a: 255))
    }

    @Test func aStillScreenSettlesOnTheSecondFrame() async throws {
        let frames = Frames([try Self.frame(200)])
        let result = try await Phone.settle { await frames.next() }
        #expect(result.settled)
        #expect(result.frames == 2)
        #expect(result.settleTime == result.elapsed)
    }

    /// An animating screen never counts as settled; one that stops settles on the first frame
    /// that repeats, and that frame is the one returned.
    @Test func aMovingScreenIsNotSettled() async throws {
        let moving = Frames(try (0..<200).map { i in try Self.frame(i % 2 == 0 ? 20 : 220) })
        let result = try await Phone.settle(timeout: .milliseconds(300)) { await moving.next() }
        #expect(!result.settled)
        #expect(result.frames >= 3)

        let stopping = Frames([try Self.frame(10), try Self.frame(90), try Self.frame(170), try Self.frame(250)])
        let stopped = try await Phone.settle { await stopping.next() }
        #expect(stopped.settled)
        #expect(stopped.frames == 5)
        #expect(stopped.image == (try Self.frame(250)))
    }

    @Test func theVirtualPhoneSettlesWithSettleTime() async throws {
        try await withPhoneRig { (rig: PhoneRig) async throws in
            let result = try await rig.phone.waitUntilSettled()
            #expect(result.settled)
            #expect(result.frames == 2)
            #expect(result.settleTime > .zero)
        }
    }

    // MARK: - Messages

    /// Messages a CLI user reads name commands to run, not Swift methods.
    @Test func messagesNameNoSwiftAPI() {
        let errors: [PhoneError] = [
            .screenOff, .locked, .noFocusedTextField, .textNotDelivered(expected: "a", field: "b"),
            .secureScreen(foreground: nil), .timeout(action: "x", after: .seconds(1))
        ]
        for error in errors {
            #expect(!error.description.contains("Phone."), "\(error.description)")
            #expect(!error.description.contains("()"), "\(error.description)")
        }
        #expect(PhoneError.screenOff.description.contains("tether unlock"))
    }
}
