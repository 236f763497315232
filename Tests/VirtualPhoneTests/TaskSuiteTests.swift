import Basics
import Foundation
import PhoneRig
import Testing
import TetherTestSupport

@testable import VirtualPhone

/// The seeded task suite as data: its size and shape, and what a seed does to a task.
@Suite struct TaskSuiteTests {
    @Test func theSuiteHasSixtyTasksOverThreeLevelsAThirdAcrossApps() throws {
        let tasks = try catalog().tasks
        #expect(tasks.count >= 60)
        for level in TaskLevel.allCases {
            let n = tasks.filter { $0.level == level }.count
            #expect(n * 4 >= tasks.count, "\(level) has only \(n) of \(tasks.count) tasks")
        }
        #expect(tasks.filter(\.isMultiApp).count * 3 >= tasks.count)
        #expect(tasks.filter { !$0.params.isEmpty }.count * 2 >= tasks.count, "at least half the tasks take seeded parameters")
    }

    @Test func everyTaskIsWellFormed() throws {
        for task in try catalog().tasks {
            #expect(task.problems().isEmpty, "\(task.id): \(task.problems())")
            for seed: UInt64 in 1...5 {
                let instance = task.instance(seed: seed)
                let setup = instance.setup.map { JSON.object($0).description } ?? ""
                let check = Placeholders.json(instance.check)?.description ?? "{{unreadable}}"
                let text = instance.instruction + instance.instructionZh + instance.solution.map(\.description).joined() + setup + check
                #expect(!text.contains("{{"), "\(task.id) seed \(seed) keeps a placeholder: \(text)")
            }
        }
    }

    @Test func theSameSeedGivesTheSameInstanceAndSeedsDiffer() throws {
        for task in try catalog().tasks where !task.params.isEmpty {
            let a = task.instance(seed: 7), b = task.instance(seed: 7)
            func text(_ t: TaskDefinition) -> String { t.instruction + t.solution.map(\.description).joined() + (t.setup.map { JSON.object($0).description } ?? "") }
            #expect(text(a) == text(b))
            let instances = Set((UInt64(1)...8).map { text(task.instance(seed: $0)) })
            #expect(instances.count > 1, "\(task.id): eight seeds give one instance")
        }
    }

    @Test func aPlaceholderThatIsAWholeValueKeepsItsType() throws {
        let task = try #require(try catalog().task("clock-add-alarm"))
        let instance = task.instance(seed: 3)
        let hour = try #require(task.paramValues(seed: 3)["h"]?.int)
        #expect(instance.instruction.hasPrefix("Set an alarm for \(hour):"))
        // In the check the hour is the number, as the alarm stores it, not the text "9".
        #expect(instance.check.some?.all?.first?.equals == .number(Double(hour)))
        #expect(instance.check.some?.all?.last?.contains == task.paramValues(seed: 3)["l"]?.string)
    }

    @Test func theOrderOfASetUpListChangesWithTheSeed() throws {
        let task = try #require(try catalog().task("notes-delete-longpress"))
        let orders = Set(
            (UInt64(1)...12).map { seed in
                (task.instance(seed: seed).setup?["com.tether.notes"]?["notes"]?.array ?? []).compactMap { $0["title"]?.string }
            })
        #expect(orders.count > 1)
        #expect(orders.allSatisfy { $0.count == 4 })
        // A list picked by one parameter has the other parameters filled inside it.
        let alarms = try #require(try catalog().task("clock-delete-alarm")).instance(seed: 2).setup?["com.android.deskclock"]?["alarms"]
        #expect(alarms?.array?.allSatisfy { $0["hour"]?.int != nil } == true, "\(String(describing: alarms))")
    }

    @Test func placeholdersFillKeysAndLeaveUnknownOnesAlone() {
        let values: [String: JSON] = ["s": .object(["key": .string("wifi"), "on": .bool(false)]), "n": .number(12)]
        let filled = Placeholders.fill(.object(["{{s.key}}": .string("{{s.on}}"), "text": .string("n={{n}} {{missing}}")]), values)
        #expect(filled == .object(["wifi": .bool(false), "text": .string("n=12 {{missing}}")]))
    }

    @Test func differentFromNeverPicksTheSameValueTwice() throws {
        let task = try #require(try catalog().task("multi-number-to-contact"))
        for seed in UInt64(1)...40 {
            let values = task.paramValues(seed: seed)
            #expect(values["a"] != values["b"], "seed \(seed) picks \(String(describing: values["a"])) twice")
        }
    }

    @Test func solutionStepsReadAndWriteTheirOneKeyObjects() throws {
        let text = #"[{"launch":"Contacts"},{"tap":"Create contact"},{"longPress":"Gym"},{"type":"Bob"},{"key":"back"},{"swipe":"up","on":"list"},{"wait":1}]"#
        let steps = try JSONDecoder().decode([SolutionStep].self, from: Data(text.utf8))
        #expect(steps == [.launch("Contacts"), .tap("Create contact"), .longPress("Gym"), .type("Bob"), .key(.back), .swipe(.up, on: "list"), .wait(1)])
        let again = try JSONDecoder().decode([SolutionStep].self, from: try JSONEncoder().encode(steps))
        #expect(again == steps)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SolutionStep.self, from: Data(#"{"tap":"a","type":"b"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SolutionStep.self, from: Data(#"{"key":"menu"}"#.utf8)) }
    }

    @Test func aPhoneServedWithAnInstanceStartsFromItsSetup() async throws {
        let template = try #require(try catalog().task("multi-wifi-name-to-contact"))
        let network = try #require(template.paramValues(seed: 4)["net"]?.string)
        let phone = try makePhone(seed: 4, task: template.instance(seed: 4))
        #expect(await phone.states["com.android.settings"]?["wifi_network"]?.string == network)
    }
}

extension TaskSuiteTests {
    @Test func aCatalogWithAPlaceholderNamingNoParameterDoesNotLoad() throws {
        let dir = TemporaryDirectory()
        for sub in ["profiles", "apps"] {
            try FileManager.default.copyItem(at: devicesDirectory.appendingPathComponent(sub), to: dir.url.appendingPathComponent(sub))
        }
        let tasks = dir.url.appendingPathComponent("tasks")
        try FileManager.default.createDirectory(at: tasks, withIntermediateDirectories: true)
        let file = #"{"format": 1, "tasks": [{"id": "t", "level": "easy", "instruction": "Call {{who}}.", "instructionZh": "x", "apps": ["com.android.settings"], "check": {"app": "com.android.settings", "path": "wifi", "equals": false}}]}"#
        try Data(file.utf8).write(to: tasks.appendingPathComponent("t.json"))
        #expect {
            try DeviceCatalog.load(from: dir.url)
        } throws: { error in
            "\(error)".contains("task t: {{who}} names no parameter")
        }
    }
}
