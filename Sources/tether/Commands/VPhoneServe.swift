import ADB
import ArgumentParser
import Foundation
import VirtualPhone

extension VPhoneCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Start virtual phones until SIGINT or SIGTERM (what `tether vphone` does with no subcommand).")

        @OptionGroup var options: ServeOptions

        func run() async throws { try await options.serve() }
    }
}
