import ADB
import ArgumentParser
import Foundation
import VirtualPhone

/// `tether vphone`: serve virtual phones over ADB, list tasks, check a task on a running phone.
/// `tether vphone [OPTIONS]` serves (as `tether vphone serve` does), so its help shows the serve
/// options beside the subcommands.
struct VPhoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vphone",
        abstract: "Run simulated Android phones that speak ADB on 127.0.0.1.",
        usage: """
            tether vphone [serve] [--port <port>] [--count <count>] [--profile <profile>] [<options>]
            tether vphone tasks [--zh]
            tether vphone check <task> --serial <host:port>
            tether vphone solve <task> --seed <n> --serial <host:port>
            """,
        discussion: "With no subcommand, serves phones with the options below until SIGINT or SIGTERM.",
        subcommands: [Serve.self, Tasks.self, Check.self, Solve.self])

    @OptionGroup var options: ServeOptions

    func run() async throws { try await options.serve() }
}
