import ADB
import ArgumentParser
import Flows
import Foundation
import Trajectory
import VirtualPhone

/// `tether replay DIR`: a recorded episode played again on a phone, each touch re-aimed at the
/// element the person touched; stops at the first step whose screen no longer matches.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded episode on a phone, re-aimed at the elements the person touched.",
        discussion: """
            Prints one line per step: matched, re-aimed (dx,dy) or diverged: why. Exit status 0 only \
            when every step ran — and with --task ID on a virtual phone, only when the task's check passes.
            """)

    @OptionGroup var device: DeviceOptions

    @Argument(help: ArgumentHelp("The episode folder (episode.json, steps.jsonl, screens/).", valueName: "dir"))
    var directory: String

    @Option(name: .customLong("task"), help: ArgumentHelp("A virtual-phone task whose check decides the exit status.", valueName: "id"))
    var taskID: String?

    @Option(help: ArgumentHelp("The Devices directory (default: found from the current directory or $TETHER_DEVICES).", valueName: "dir"))
    var devices: String?

    func run() async throws {
        let episode: Episode
        do { episode = try Episode(contentsOf: URL(fileURLWithPath: directory)) } catch {
            throw CommandFailure(description: error.message)
        }
        var definition: TaskDefinition?
        if let taskID {
            let catalog: DeviceCatalog
            do { catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate()) } catch {
                throw CommandFailure(description: "cannot load the Devices directory: \(error)")
            }
            guard let t = catalog.task(taskID) else { throw ValidationError("no task \(taskID); see `tether vphone tasks`") }
            definition = t
        }
        let phone = try await device.openPhone()
        say("replaying \(episode.steps.count) steps: \(episode.info.task)")
        let result = try await Replayer(phone: phone).run(episode) { say($0) }
        var passed = result.divergence == nil
        if let definition {
            let check = try await TaskChecker.check(definition, on: phone.target)
            say("check \(definition.id): \(check.passed ? "PASS" : "FAIL")")
            for reason in check.reasons { say("  \(reason)") }
            passed = passed && check.passed
        }
        await phone.close()
        if !passed { throw ExitCode(1) }
    }
}
