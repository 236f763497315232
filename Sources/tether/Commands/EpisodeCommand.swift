import ArgumentParser

/// `tether episode`: look at recorded episodes.
struct EpisodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "episode",
        abstract: "Look at a recorded episode.",
        subcommands: [EpisodeView.self])
}
