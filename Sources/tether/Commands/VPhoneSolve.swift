import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import VirtualPhone

extension VPhoneCommand {
    struct Solve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "solve",
            abstract: "Play a task's solution on a running phone as a person would (touches and keys through adb), then check it; exit 0 on pass.",
            discussion: """
                Serve the phone with the same task and seed first: tether vphone serve --task TASK --seed N.
                --seed N (default 1) picks the task's parameters; --devices DIR names the Devices directory.
                The solution's steps are found on the screen by their labels (uiautomator dump) and touched with sendevent.
                """)
        @Argument(help: "Task id.")
        var task: String
        /// `--seed N` (the seed the phone was served with: it picks the task's parameters) is
        /// the parent's serve option, which takes it wherever it stands on the line, so it is read from there.
        @OptionGroup(visibility: .private) var phoneOptions: ServeOptions
        var seed: UInt64 { phoneOptions.seed }
        /// `--devices DIR`, the same way.
        var devices: String? { phoneOptions.devices }
        @Option(help: "The phone's serial, HOST:PORT (e.g. 127.0.0.1:6520).")
        var serial: String
        @Flag(help: "Do not wait for the screen to settle between steps (the virtual phone applies each event at once).")
        var noSettle = false

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            guard let definition = catalog.task(task)?.instance(seed: seed) else { throw ValidationError("no task \(task); see `tether vphone tasks`") }
            guard !definition.solution.isEmpty else { throw CommandFailure(description: "task \(task) has no solution steps; add them to its file in Devices/tasks") }
            let parts = serial.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--serial must be HOST:PORT") }
            let transport = try await TCPPacketTransport.connect(host: String(parts[0]), port: port)
            let connection = try await ADBHost.connect(transport: transport, keys: try? ADBKeyStore.load())
            let phone = Phone(target: connection)
            say("task \(task) (seed \(seed)): \(definition.instruction)")
            do {
                let person = try await Person(phone: phone, settle: noSettle ? .none : .screen)
                try await person.play(definition.solution.map(PersonStep.init)) { number, step in say("  \(number). \(step)") }
            } catch let error as PersonError {
                await phone.close()
                await connection.close()
                throw CommandFailure(description: "the solution of \(task) stopped at \(error)")
            } catch {
                await phone.close()
                await connection.close()
                throw error
            }
            let result = try await TaskChecker.check(definition, on: connection)
            await phone.close()
            await connection.close()
            say("\(result.passed ? "PASS" : "FAIL") \(task)")
            for reason in result.reasons { say("  \(reason)") }
            if !result.passed { throw ExitCode(1) }
        }
    }
}

extension PersonStep {
    /// The person's version of a task's solution step.
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
