import ADB
import Foundation
import PhoneRig
import Testing
import TetherTestSupport
import VirtualPhone

@testable import AndroidPhone

/// A person's solution played through Google's adb server (Debian's adb), not our own
/// transport: `uiautomator dump`, `getevent -lp` and `sendevent` go through `adb -s SERIAL shell`
/// the way they would to a real phone.
@Suite(.serialized) struct PersonRealADBTests {
    @Test func aSeededTaskIsSolvedThroughTheRealADB() async throws {
        guard RealADB.isInstalled else { return }
        let seed: UInt64 = 6
        let task = try #require(try sharedCatalog.get().task("contacts-add-person")).instance(seed: seed)
        let server = try await VirtualPhoneServer.start(
            catalog: try sharedCatalog.get(), options: .init(profile: "small-phone", seed: seed, port: 0, task: task))
        let adb = try RealADB()
        let serial = "127.0.0.1:\(server.port)"
        try await withCleanup {
            let connect = try await adb("connect", serial)
            #expect(connect.stdoutText.contains("connected to \(serial)"), "\(connect.stdoutText) \(connect.stderrText)")
            let target = ADBServerClient(port: adb.serverPort).device(serial: serial)
            let phone = Phone(target: target)
            #expect(try await !TaskChecker.check(task, on: target).passed)
            let person = try await Person(phone: phone, settle: .screen)
            #expect(person.touch.path == "/dev/input/event3")
            #expect(person.keys == "/dev/input/event1")
            #expect(person.keyboard != nil, "the virtual phone's keyboard is typed on, key by key")
            try await person.play(task.solution.map(PersonStep.init))
            let result = try await TaskChecker.check(task, on: target)
            #expect(result.passed, "\(result.reasons)")
            await phone.close()
        } cleanup: {
            _ = try? await adb("disconnect", serial)
            await adb.killServer()
            await server.stop()
        }
    }
}
