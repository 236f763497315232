import AndroidPhone
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
}
