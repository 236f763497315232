import ArgumentParser
import Foundation
import Logging

@main
struct Tether: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tether",
        abstract: "Drive Android phones over ADB, with a vision-language phone agent.",
        subcommands: [Devices.self, Shell.self, ExecOut.self, Push.self, Pull.self, Screenshot.self, Tap.self, Swipe.self, TypeText.self, Key.self, Unlock.self, Launch.self, Apps.self, UI.self, Events.self, VPhoneCommand.self, RunCommand.self, RecordCommand.self, BenchCommand.self, SelfCheck.self, ModelCommand.self, DaemonCommand.self, JobsCommand.self, ExportCommand.self, EpisodeCommand.self, MCPCommand.self, TestCommand.self, ReplayCommand.self])

    /// Library logs go to stderr at warning level; TETHER_LOG=debug|info|… shows more.
    static func main() async {
        let level = ProcessInfo.processInfo.environment["TETHER_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        await main(nil)
    }
}
