import ADB
import ArgumentParser
import Foundation
import VirtualPhone

extension VPhoneCommand {
    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tasks", abstract: "List the tasks in Devices/tasks.")
        @Option(help: "The Devices directory.")
        var devices: String?
        @Flag(help: "Show the Chinese instruction too.")
        var zh = false

        func run() async throws {
            let catalog = try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
            for task in catalog.tasks {
                say("\(task.id.padding(toLength: 34, withPad: " ", startingAt: 0)) \(task.instruction)")
                if zh { say(String(repeating: " ", count: 35) + task.instructionZh) }
            }
        }
    }
}
