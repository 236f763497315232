import ArgumentParser
import Foundation
import Trajectory

/// `tether episode view DIR [-o FILE]`: one self-contained HTML page of the episode.
struct EpisodeView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Write an episode as one HTML page: each step's screenshot with its action drawn on it.",
        discussion: "The page needs nothing else: screenshots are inlined, and it loads no outside resource.")

    @Argument(help: ArgumentHelp("The episode folder.", valueName: "dir"))
    var episode: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the page (default: DIR/episode.html).", valueName: "file"))
    var output: String?

    func run() async throws {
        let directory = URL(fileURLWithPath: episode)
        let target = output.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("episode.html")
        let steps: Int
        do {
            let page = EpisodePage(episode: try Episode(contentsOf: directory))
            steps = page.episode.steps.count
            try Data(try page.html().utf8).write(to: target, options: .atomic)
        } catch let error as EpisodeError {
            throw CommandFailure(description: error.message)
        } catch let error as ExportError {
            throw CommandFailure(description: error.message)
        } catch {
            throw CommandFailure(description: "cannot write \(target.path): \(error.localizedDescription)")
        }
        say("wrote \(target.path) (\(steps) step\(steps == 1 ? "" : "s"))")
    }
}
