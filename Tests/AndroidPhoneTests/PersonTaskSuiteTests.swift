import ADB
import Foundation
import PhoneRig
import Testing
import TetherTestSupport
import VirtualPhone

@testable import AndroidPhone

/// Every task of Devices/tasks on several seeds: the check fails on the fresh phone and passes
/// after a person plays the task's solution (touches and keys through adb, nothing else).
@Suite struct PersonTaskSuiteTests {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5]
    static let taskIDs: [String] = (try? sharedCatalog.get().tasks.map(\.id)) ?? []

    @Test(arguments: taskIDs)
    func personSolvesTask(_ id: String) async throws {
        let template = try #require(try sharedCatalog.get().task(id))
        for seed in Self.seeds {
            let task = template.instance(seed: seed)
            try await withPhoneRig(
                seed: seed, task: id,
                adjust: { catalog in
                    catalog.tasks = catalog.tasks.map { $0.id == id ? task : $0 }
                }
            ) { rig in
                let before = try await TaskChecker.check(task, on: rig.connection)
                #expect(!before.passed, "\(id) seed \(seed) passes before any step: \(before.reasons)")
                let person = try await Person(phone: rig.phone, settle: .none)
                do {
                    try await person.play(task.solution.map(PersonStep.init))
                } catch {
                    Issue.record("\(id) seed \(seed): \(error)")
                    return
                }
                let after = try await TaskChecker.check(task, on: rig.connection)
                #expect(after.passed, "\(id) seed \(seed) fails after its solution: \(after.reasons)")
            }
        }
    }

    @Test func aMissingLabelFailsNamingTheStep() async throws {
        try await withPhoneRig { rig in
            var person = try await Person(phone: rig.phone, settle: .none)
            person.scrollAttempts = 1
            let error = await #expect(throws: PersonError.self) {
                try await person.play([.launch("Settings"), .tap("Teleport")])
            }
            #expect(error?.step == 2)
            #expect(error?.description.contains("tap \"Teleport\"") == true)
            #expect(error?.reason.contains("nothing labelled \"Teleport\"") == true)
            #expect(error?.reason.contains("Display") == true, "the error lists what the screen shows")
        }
    }
}

extension PersonStep {
    /// The person's version of a task's solution step (as `tether vphone solve` maps it).
    init(_ step: SolutionStep) {
        switch step {
        case .launch(let label): self = .launch(label)
        case .tap(let label): self = .tap(label)
        case .longPress(let label): self = .longPress(label)
        case .type(let text): self = .type(text)
        case .key(let key): self = .key(PersonKey(rawValue: key.rawValue) ?? .back)
        case .swipe(let direction, let on): self = .swipe(PersonSwipe(rawValue: direction.rawValue) ?? .up, on: on)
        case .wait(let seconds): self = .wait(.milliseconds(Int(seconds * 1000)))
        }
    }
}
