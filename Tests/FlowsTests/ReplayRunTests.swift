import AndroidPhone
import Basics
import Flows
import Foundation
import PhoneRig
import Testing
import Trajectory
import VirtualPhone

@Suite(.serialized) struct ReplayRunTests {
    let episode = repository.appendingPathComponent("Trajectories/bob-number-to-alice")
    let task = "messages-bob-number-to-alice"

    @Test(arguments: ["small-phone", "pixel-7"]) func replayOnAFreshPhonePassesTheTaskCheck(profile: String) async throws {
        let loaded = try Episode(contentsOf: episode)
        try await withPhoneRig(profile: profile, task: task) { rig in
            let result = try await Replayer(phone: rig.phone).run(loaded)
            #expect(result.divergence == nil)
            #expect(result.completed == loaded.steps.count)
            let check = try await TaskChecker.check(try #require(rig.catalog.task(task)), on: rig.connection)
            #expect(check.passed, "\(check.reasons)")
        }
    }

    @Test func aDivergenceStopsAtTheStepWithWhatWasLookedFor() async throws {
        var loaded = try Episode(contentsOf: episode)
        loaded.steps[0].element?.contentDescription = "Phonebook"
        loaded.steps[0].element?.text = "Phonebook"
        loaded.steps[0].element?.className = "android.widget.Missing"
        try await withPhoneRig(profile: "small-phone", task: task) { rig in
            let result = try await Replayer(phone: rig.phone).run(loaded)
            #expect(result.completed == 0)
            #expect(result.divergence?.step == 1)
            #expect(result.divergence?.reason.contains("Phonebook") == true)
        }
    }

    @Test func anotherScreenSizeIsReAimed() async throws {
        let loaded = try Episode(contentsOf: episode)
        let lines = Locked<[String]>([])
        try await withPhoneRig(profile: "pixel-7", task: task) { rig in
            _ = try await Replayer(phone: rig.phone).run(loaded) { line in lines.withLock { $0.append(line) } }
        }
        #expect(lines.value.contains { $0.contains("re-aimed") })
    }

    /// A key replay cannot press is a divergence, never a step counted as matched.
    @Test func aKeyReplayCannotPressStopsTheReplay() async throws {
        var loaded = try Episode(contentsOf: episode)
        let index = try #require(loaded.steps.firstIndex { $0.gesture?.kind == .key })
        loaded.steps[index].gesture?.key = "KEY_F13"
        let step = loaded.steps[index].step
        try await withPhoneRig(task: task) { rig in
            let result = try await Replayer(phone: rig.phone).run(loaded)
            #expect(result.completed == index)
            #expect(result.divergence?.step == step)
            #expect(result.divergence?.reason.contains("KEY_F13 that replay cannot press") == true, "\(String(describing: result.divergence))")
        }
    }
}
