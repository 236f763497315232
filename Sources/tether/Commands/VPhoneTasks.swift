import ADB
import ArgumentParser
import Foundation
import VirtualPhone

extension VPhoneCommand {
    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tasks", abstract: "List the tasks in Devices/tasks.",
            discussion: "--seed N shows the instructions as that seed makes them (see docs/tasks.md); --devices DIR names the Devices directory.")
        @Flag(help: "Show the Chinese instruction too.")
        var zh = false
        @Option(help: "Only tasks of this level: easy, medium or hard.")
        var level: TaskLevel?
        /// `--seed N` (instructions as that seed makes them) and `--devices DIR` are the parent's
        /// serve options, which take them wherever they stand on the line, so they are read from there.
        @OptionGroup(visibility: .private) var phoneOptions: ServeOptions
        var devices: String? { phoneOptions.devices }
        var seed: UInt64? { CommandLine.arguments.contains { $0 == "--seed" || $0.hasPrefix("--seed=") } ? phoneOptions.seed : nil }

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            let tasks = catalog.tasks.filter { level == nil || $0.level == level }
            for template in tasks {
                let task = seed.map { template.instance(seed: $0) } ?? template
                let apps = task.isMultiApp ? " \(task.apps.count) apps" : ""
                let id = task.id.padding(toLength: 34, withPad: " ", startingAt: 0)
                let tag = (task.level.rawValue + apps).padding(toLength: 13, withPad: " ", startingAt: 0)
                say("\(id) \(tag) \(task.instruction)")
                if zh { say(String(repeating: " ", count: 49) + task.instructionZh) }
            }
            let counts = TaskLevel.allCases.map { l in "\(tasks.filter { $0.level == l }.count) \(l.rawValue)" }
            say("\(tasks.count) tasks: " + counts.joined(separator: ", ") + ", \(tasks.filter(\.isMultiApp).count) across apps")
        }
    }
}

extension TaskLevel: ExpressibleByArgument {}
