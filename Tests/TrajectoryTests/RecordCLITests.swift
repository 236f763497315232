import Foundation
import TetherTestSupport
import Testing
@testable import Trajectory

#if canImport(Glibc)
import Glibc
#endif

/// `tether record` as a person uses it: a virtual phone served by `tether vphone serve`, a
/// person played through the real `adb`'s `sendevent`, the recording stopped with Ctrl-C or cut
/// by the phone going away, and the episode read back.
@Suite(.serialized, .enabled(if: RealADB.isInstalled)) struct RecordCLITests {
    @Test func recordsATwoAppTaskPlayedThroughSendevent() async throws {
        guard tetherIsBuilt() else { return }
        let task = "messages-bob-number-to-alice"
        try await PersonAtAPhone.with(task: task) { rig in
            let person = rig.person
            let dir = rig.scratch.url.appendingPathComponent("episode")
            let rec = try rig.record(
                ["-o", dir.path, "--task", "Find Bob Martin's number and text it to Alice Chen", "--jpeg", "50"], name: "record")
            try await rec.waitForScreens(1)

            try await person.tap(text: "Contacts", recorder: rec)
            try await person.tap(text: "Search contacts", recorder: rec)
            try await person.typeOnKeyboard("bob")
            try await rec.waitForScreens(2)
            try await person.tap(text: "Bob Martin", recorder: rec)
            let number = try #require(try await person.dump().components(separatedBy: "text=\"").dropFirst().map { $0.prefix { $0 != "\"" } }.first { $0.hasPrefix("+1") })
            try await person.key(172, recorder: rec)  // KEY_HOMEPAGE
            try await person.tap(text: "Messages", recorder: rec)
            try await person.tap(text: "Alice Chen", recorder: rec)
            try await person.tap(text: "Text message", recorder: rec)
            let typed = number.filter(\.isNumber).suffix(7)
            _ = try await person.adb("-s", person.serial, "shell", "input text \(typed)")
            try await rec.waitForScreens(2)
            try await person.tap(text: "Send", recorder: rec)

            let check = try await run([tetherExecutable, "vphone", "check", task, "--serial", person.serial, "--devices", PersonAtAPhone.devices])
            #expect(check.stdoutText.hasPrefix("PASS"), "\(check.stdoutText)")

            rec.interrupt()
            let status = try await rec.waitForExit()
            #expect(status == 0, "\(rec.stderr.suffix(2000))")
            #expect(rec.stdout.contains("finished after 10 steps"), "\(rec.stdout)")

            let episode = try Episode(contentsOf: dir)
            #expect(episode.info.source == "human")
            #expect(episode.info.outcome.status == .finished && episode.info.outcome.steps == 10)
            let names = episode.steps.map { $0.actionName?.rawValue ?? "-" }
            #expect(names == ["Tap", "Tap", "Type", "Tap", "Home", "Tap", "Tap", "Tap", "Type", "Tap"], "\(names)")
            let actions = episode.steps.compactMap { $0.action.flatMap { try? ActionParser.parse($0).action } }
            #expect(actions.count == 10)
            #expect(actions[2] == .type("bob"))
            #expect(actions[8] == .type(String(typed)))
            let elements = episode.steps.map { $0.element?.text ?? "" }
            #expect(elements[0] == "Contacts" && elements[3] == "Bob Martin" && elements[5] == "Messages" && elements[6] == "Alice Chen")
            #expect(elements[9] == "Send")
            #expect(episode.steps[8].element?.resourceId.hasSuffix("compose_message_text") ?? false)
            #expect(episode.steps[0].currentApp == "System Home" && episode.steps[3].currentApp == "Contacts" && episode.steps[9].currentApp == "Messages")
            // Each step has its screenshot (JPEG) and UI tree from just before the finger went down.
            for step in episode.steps {
                #expect(step.screen?.hasSuffix(".jpg") ?? false)
                #expect(step.uiTree != nil)
                #expect(step.screenWidth == 720 && step.screenHeight == 1600)
            }
            let firstTree = try String(contentsOf: dir.appendingPathComponent(episode.steps[3].uiTree ?? ""), encoding: .utf8)
            #expect(firstTree.contains("text=\"Bob Martin\""))
            // The tap's grid point is the pixel where the finger was, on the 0–999 grid.
            let g = try #require(episode.steps[0].gesture)
            if case .tap(let p, _) = actions[0] {
                #expect(p.x == (g.x ?? 0) * 1000 / 720 && p.y == (g.y ?? 0) * 1000 / 1600)
            }
        }
    }

    /// --finish ends a recording the person stopped with their "done": a last step with the
    /// screen as it was then and finish(message=…); --lang records the agent's system prompt of
    /// this phone (its apps) in that language, so an export trains on what a run sends.
    @Test func finishAndLangRecordThePersonsDoneAndTheAgentsPrompt() async throws {
        guard tetherIsBuilt() else { return }
        try await PersonAtAPhone.with { rig in
            let person = rig.person
            let dir = rig.scratch.url.appendingPathComponent("done")
            let recorder = try rig.record(
                ["-o", dir.path, "--until-key", "VOLUME_DOWN", "--finish", "Contacts is open", "--lang", "zh", "--devices", PersonAtAPhone.devices],
                name: "done")
            try await recorder.waitForScreens(1)
            try await person.tap(text: "Contacts", recorder: recorder)
            try await person.sendevent(1, [(1, 114, 1), (0, 0, 0)])
            try await person.sendevent(1, [(1, 114, 0), (0, 0, 0)])
            #expect(try await recorder.waitForExit() == 0, "\(recorder.stderr.suffix(1500))")
            let episode = try Episode(contentsOf: dir)
            #expect(episode.steps.map(\.actionName) == [.tap, .finish])
            let done = try #require(episode.steps.last)
            #expect(done.action == #"finish(message="Contacts is open")"#)
            #expect(done.currentApp == "Contacts", "the screen of the finish step is the one the task left")
            #expect(done.screen.map { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) } == true)
            #expect(episode.info.language == .chinese)
            #expect(episode.info.systemPrompt.contains("今天是"))
            #expect(episode.info.systemPrompt.contains("本机已安装的应用"), "the phone's apps are listed as a run lists them")
            #expect(episode.info.systemPrompt.contains("Contacts"))

            let refused = try await TetherTestSupport.run(
                [tetherExecutable, "record", "--connect", person.serial, "--finish", " "], timeout: 30)
            #expect(refused.status != 0 && refused.stderrText.contains("--finish needs a message"), "\(refused.stderrText)")
        }
    }

    /// --until-key ends the recording on that key (not a step); --max-steps after N steps.
    @Test func untilKeyAndMaxStepsEndTheRecording() async throws {
        guard tetherIsBuilt() else { return }
        try await PersonAtAPhone.with { rig in
            let person = rig.person
            let untilDir = rig.scratch.url.appendingPathComponent("until")
            let until = try rig.record(["-o", untilDir.path, "--until-key", "VOLUME_DOWN"], name: "until")
            try await until.waitForScreens(1)
            try await person.tap(text: "Contacts", recorder: until)
            try await person.sendevent(1, [(1, 114, 1), (0, 0, 0)])
            try await person.sendevent(1, [(1, 114, 0), (0, 0, 0)])
            #expect(try await until.waitForExit() == 0, "\(until.stderr.suffix(1500))")
            let first = try Episode(contentsOf: untilDir)
            #expect(first.info.outcome.status == .finished && first.info.outcome.message.contains("--until-key"))
            #expect(first.steps.map(\.actionName) == [.tap])

            let maxDir = rig.scratch.url.appendingPathComponent("max")
            let max = try rig.record(["-o", maxDir.path, "--max-steps", "2"], name: "max")
            try await max.waitForScreens(1)
            try await person.key(158, recorder: max)  // KEY_BACK: to the home screen
            try await person.tap(text: "Settings", recorder: max)
            // KEY_HOMEPAGE: the gesture that shows the tap was single; a third step, never written.
            try await person.sendevent(1, [(1, 172, 1), (0, 0, 0)])
            try await person.sendevent(1, [(1, 172, 0), (0, 0, 0)])
            #expect(try await max.waitForExit() == 0, "\(max.stderr.suffix(1500))")
            let second = try Episode(contentsOf: maxDir)
            #expect(second.info.outcome.message.contains("--max-steps"))
            #expect(second.steps.map(\.actionName) == [.back, .tap])
        }
    }

    @Test func aPhoneThatVanishesLeavesAReadableEpisode() async throws {
        guard tetherIsBuilt() else { return }
        try await PersonAtAPhone.with { rig in
            let person = rig.person
            let dir = rig.scratch.url.appendingPathComponent("episode")
            let rec = try rig.record(["-o", dir.path], name: "record")
            try await rec.waitForScreens(1)
            try await person.tap(text: "Contacts", recorder: rec)
            try await person.tap(text: "Search contacts", recorder: rec)
            rig.phone.kill()
            let status = try await rec.waitForExit()
            #expect(status == 1, "\(rec.stdout) \(rec.stderr.suffix(2000))")
            let episode = try Episode(contentsOf: dir)
            #expect(episode.info.outcome.status == .failed && episode.info.endedAt != nil)
            #expect(episode.info.outcome.message.contains("went away"), "\(episode.info.outcome.message)")
            #expect(episode.steps.map(\.actionName) == [.tap, .tap])
            #expect(episode.steps.first?.element?.text == "Contacts")
        }
    }
}

/// A person at a small-phone virtual phone served by `tether vphone serve` (with a task's initial
/// state when named), through the real adb, and the `tether record` processes a test starts on it.
final class PersonAtAPhone: @unchecked Sendable {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Devices").path

    let scratch: TemporaryDirectory
    let phone: Background
    let person: Person
    private var recorders: [Background] = []

    private init(scratch: TemporaryDirectory, phone: Background, person: Person) {
        self.scratch = scratch
        self.phone = phone
        self.person = person
    }

    /// Runs `body` with the phone and the person; then stops every recorder, the phone and the
    /// adb server, whatever happened.
    static func with(task: String? = nil, _ body: (PersonAtAPhone) async throws -> Void) async throws {
        let adb = try RealADB()
        let scratch = TemporaryDirectory()
        let port = try freePort()
        let phone = try Background(
            [tetherExecutable, "vphone", "serve", "--port", "\(port)", "--profile", "small-phone", "--devices", devices]
                + (task.map { ["--task", $0] } ?? []),
            in: scratch, name: "phone")
        var rig: PersonAtAPhone?
        try await withCleanup {
            let person = try await Person.connect(adb: adb, serial: "127.0.0.1:\(port)")
            let made = PersonAtAPhone(scratch: scratch, phone: phone, person: person)
            rig = made
            try await body(made)
        } cleanup: {
            for r in rig?.recorders ?? [] { r.kill() }
            phone.kill()
            await adb.killServer()
        }
    }

    /// `tether record --connect <the phone> ARGUMENTS`, logging at debug (its "fresh screen" lines
    /// pace the person); its output in the scratch directory under `name`.
    func record(_ arguments: [String], name: String) throws -> Background {
        let recorder = try Background(
            [tetherExecutable, "record", "--connect", person.serial] + arguments, in: scratch, name: name,
            environment: ["TETHER_LOG": "debug"])
        recorders.append(recorder)
        return recorder
    }
}

/// A person at the phone, through the real adb: finds things in uiautomator's dump and touches
/// them with `sendevent`.
struct Person {
    let adb: RealADB
    let serial: String
    let maxX: Int, maxY: Int, width: Int, height: Int, density: Int

    static func connect(adb: RealADB, serial: String) async throws -> Person {
        let connected = try await eventually(timeout: .seconds(30)) {
            let r = try await adb("connect", serial)
            return r.stdoutText.contains("connected to")
        }
        guard connected else { throw TestFailure("adb could not connect to \(serial)") }
        let caps = try await adb("-s", serial, "shell", "getevent -lp /dev/input/event3").stdoutText
        let size = try await adb("-s", serial, "shell", "wm size; wm density").stdoutText
        let numbers = size.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard let mx = axisMax("ABS_MT_POSITION_X", caps), let my = axisMax("ABS_MT_POSITION_Y", caps), numbers.count == 3 else {
            throw TestFailure("cannot read the touchscreen or the display: \(caps) \(size)")
        }
        return Person(adb: adb, serial: serial, maxX: mx, maxY: my, width: numbers[0], height: numbers[1], density: numbers[2])
    }

    static func axisMax(_ name: String, _ caps: String) -> Int? {
        guard let line = caps.split(separator: "\n").first(where: { $0.contains(name) }), let r = line.range(of: "max ") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    func dump() async throws -> String {
        try await adb("-s", serial, "exec-out", "uiautomator dump /dev/tty").stdoutText
    }

    /// The centre of the node whose text or content-desc is `text`.
    func find(_ text: String) async throws -> (x: Int, y: Int) {
        let xml = try await dump()
        for node in xml.components(separatedBy: "<node ").dropFirst() {
            guard node.contains("text=\"\(text)\"") || node.contains("content-desc=\"\(text)\""),
                let r = node.range(of: "bounds=\"")
            else { continue }
            let n = node[r.upperBound...].prefix { $0 != "\"" }.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if n.count == 4 { return ((n[0] + n[2]) / 2, (n[1] + n[3]) / 2) }
        }
        throw TestFailure("no \"\(text)\" on the screen")
    }

    func sendevent(_ device: Int, _ events: [(Int, Int, Int)]) async throws {
        let line = events.map { "sendevent /dev/input/event\(device) \($0.0) \($0.1) \($0.2)" }.joined(separator: "; ")
        let r = try await adb("-s", serial, "shell", line)
        guard r.status == 0 else { throw TestFailure("sendevent failed: \(r.stderrText)") }
    }

    func touch(_ x: Int, _ y: Int) async throws {
        let rx = x * (maxX + 1) / width, ry = y * (maxY + 1) / height
        try await sendevent(3, [(3, 0x39, Int.random(in: 100...60000)), (1, 0x14a, 1), (3, 0x35, rx), (3, 0x36, ry), (0, 0, 0)])
        try await sendevent(3, [(3, 0x39, -1), (1, 0x14a, 0), (0, 0, 0)])
    }

    /// Taps the element, then waits until the recorder has looked at the screen after it.
    func tap(text: String, recorder: Background) async throws {
        let p = try await find(text)
        try await touch(p.x, p.y)
        try await recorder.waitForScreens(2)
    }

    func key(_ code: Int, recorder: Background) async throws {
        try await sendevent(1, [(1, code, 1), (0, 0, 0)])
        try await sendevent(1, [(1, code, 0), (0, 0, 0)])
        try await recorder.waitForScreens(2)
    }

    /// Letters on the virtual phone's on-screen keyboard (Layout/Keyboard.swift's rows).
    func typeOnKeyboard(_ word: String) async throws {
        let scale = Double(density) / 160
        func dp(_ v: Double) -> Int { Int((v * scale).rounded()) }
        let navTop = height - dp(48)
        let top = navTop - dp(232)
        let rowH = (dp(232) - dp(8)) / 4, keyW = width / 10
        let rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
        for ch in word {
            guard let r = rows.firstIndex(where: { $0.contains(ch) }), let i = rows[r].firstIndex(of: ch) else { continue }
            let index = rows[r].distance(from: rows[r].startIndex, to: i)
            let left = r == 2 ? keyW * 3 / 2 : (width - rows[r].count * keyW) / 2
            try await touch(left + index * keyW + keyW / 2, top + dp(4) + r * rowH + rowH / 2)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A program running beside the test, its output in files; stopped with `kill()` on every path.
final class Background: @unchecked Sendable {
    let process = Process()
    let out: URL, err: URL

    init(_ arguments: [String], in dir: TemporaryDirectory, name: String, environment: [String: String] = [:]) throws {
        out = dir.url.appendingPathComponent("\(name).out")
        err = dir.url.appendingPathComponent("\(name).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    var screens: Int { stderr.components(separatedBy: "fresh screen").count - 1 }

    /// Waits until the recorder has taken `count` more good screens than now.
    func waitForScreens(_ count: Int) async throws {
        let start = screens
        let ok = await eventually(timeout: .seconds(40)) { screens >= start + count || !process.isRunning }
        guard ok, process.isRunning else { throw TestFailure("the recorder took no new screen: \(stderr.suffix(1500))") }
    }

    func interrupt() { process.interrupt() }

    func waitForExit() async throws -> Int32 {
        let ended = await eventually(timeout: .seconds(60)) { !process.isRunning }
        guard ended else { throw TestFailure("\(process.arguments ?? []) did not end") }
        return process.terminationStatus
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
