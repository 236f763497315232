import ArgumentParser

@main
struct Tether: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tether",
        abstract: "Drive Android phones over ADB, with a vision-language phone agent.",
        subcommands: [ModelCommand.self])
}
