import ADB
import Agent
import AndroidPhone
import ArgumentParser
import Flows
import Foundation
import Trajectory
import VirtualPhone

/// `tether replay DIR`: a recorded episode played again on a phone, each touch re-aimed at the
/// element the person touched; where the screen no longer matches it stops, or hands the rest
/// of the task to the agent.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded episode on a phone, re-aimed at the elements the person touched.",
        discussion: """
            Prints one line per step: matched, re-aimed (dx,dy) or diverged: why. With \
            --on-divergence agent the agent does the rest of the task (the episode's task text) with \
            the model given as to tether run. Exit status 0 only when every step ran or the agent \
            finished — and with --task ID on a virtual phone, only when the task's check passes.
            """)

    @OptionGroup var device: DeviceOptions
    @OptionGroup var backend: BackendOptions

    @Argument(help: ArgumentHelp("The episode folder (episode.json, steps.jsonl, screens/).", valueName: "dir"))
    var directory: String

    @Option(name: .customLong("on-divergence"), help: "When a step's screen no longer matches: stop, or hand the rest to the agent.")
    var onDivergence: GuardedReplay.OnDivergence = .stop

    @Option(help: ArgumentHelp("Wait the recorded gaps between steps, scaled: 1 at the person's pace, 2 twice as fast (default: as fast as the screen settles).", valueName: "x"))
    var speed: Double?

    @Option(help: ArgumentHelp("Record the replay (and the agent's part) as a new episode in this empty folder.", valueName: "dir"))
    var record: String?

    @Option(name: .customLong("task"), help: ArgumentHelp("A virtual-phone task whose check decides the exit status.", valueName: "id"))
    var taskID: String?

    @Option(help: ArgumentHelp("With --task: the seed the virtual phone was served with.", valueName: "n"))
    var seed: UInt64?

    @Option(name: .customLong("max-steps"), help: "Steps the agent may take after a hand-over.")
    var maxSteps: Int = 30

    @Option(
        name: .customLong("on-sensitive"),
        help: "The agent's sensitive taps (sending, paying, deleting): ask (on the terminal), deny or allow.")
    var onSensitive: SensitivePolicy = .ask

    @Option(help: ArgumentHelp("The Devices directory (default: found from the current directory or $TETHER_DEVICES).", valueName: "dir"))
    var devices: String?

    func validate() throws {
        if let speed, !(speed > 0) { throw ValidationError("--speed must be above 0 (1: the person's pace)") }
        if onDivergence == .agent, backend.choice == nil {
            throw ValidationError("--on-divergence agent needs a model: --model DIR or --endpoint URL (as tether run)")
        }
        if seed != nil, taskID == nil { throw ValidationError("--seed picks a task's instance: give --task ID with it") }
    }

    func run() async throws {
        let episode: Episode
        do { episode = try Episode(contentsOf: URL(fileURLWithPath: directory)) } catch {
            throw CommandFailure(description: error.message)
        }
        let catalog = taskID != nil || onDivergence == .agent ? try DevicesFolder.catalog(devices, required: taskID != nil) : nil
        var definition: TaskDefinition?
        if let taskID {
            guard let t = catalog?.task(taskID) else { throw ValidationError("no task \(taskID); see `tether vphone tasks`") }
            definition = seed.map { t.instance(seed: $0) } ?? t
        }
        let shortcuts = onDivergence == .agent ? try DevicesFolder.shortcuts(of: catalog) : .empty
        let phone = try await device.openPhone()
        let made = onDivergence == .agent ? try await backend.open() : nil
        var replayer = Replayer(phone: phone)
        replayer.speed = speed
        let agent = made.map { made in
            Agent(
                phone: AndroidPhoneControl(phone: phone), backend: made.backend,
                operator: PolicyOperator(sensitive: onSensitive, interactive: isatty(0) != 0 ? TerminalOperator() : nil),
                shortcuts: shortcuts,
                configuration: AgentConfiguration(
                    language: episode.info.language, maxSteps: maxSteps, sampling: .autoGLM, tokenCounter: made.counter),
                onStep: { say(RunCommand.line($0)) })
        }
        let guarded = GuardedReplay(
            replayer: replayer, onDivergence: onDivergence, agent: agent, recordDirectory: record.map { URL(fileURLWithPath: $0) })
        say("replaying \(episode.steps.count) steps: \(episode.info.task)")
        let report: GuardedReplay.Report
        do {
            report = try await guarded.run(episode, device: EpisodeInfo.Device(serial: device.serial ?? device.connect)) { say($0) }
        } catch {
            await made?.shutdown()
            await phone.close()
            throw CommandFailure(description: "replay failed: \(error)")
        }
        await made?.shutdown()
        if let outcome = report.agent {
            say("agent: \(outcome.status.rawValue) after step \(outcome.steps): \(outcome.message)")
        }
        var passed = report.completed
        if let definition {
            let check = try await TaskChecker.check(definition, on: phone.target)
            say("check \(definition.id): \(check.passed ? "PASS" : "FAIL")")
            for reason in check.reasons { say("  \(reason)") }
            passed = passed && check.passed
        }
        if let record { say("episode recorded in \(record)") }
        await phone.close()
        if !passed { throw ExitCode(1) }
    }
}
