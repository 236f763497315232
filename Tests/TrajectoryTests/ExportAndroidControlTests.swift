import Foundation
import TetherTestSupport
import Testing
@testable import Trajectory

@Suite struct ExportAndroidControlTests {
    @Test func mapsEachActionWithPixelsAndKeepsScreensAndActionsAligned() async throws {
        let scratch = TemporaryDirectory()
        let episode = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("run-1"))
        var folder = try ExportFolder(scratch.url.appendingPathComponent("out"))
        let summary = try AndroidControlExport().export([episode], to: &folder)
        #expect(summary == .init(episodes: 1, actions: 9, unmapped: 1))

        // Read back by the independent reader: files, sizes, action types, coordinates.
        let result = try await ExportFixtures.check(["androidcontrol", folder.url.path])
        let episodes = try #require(result["episodes"] as? [[String: Any]])
        #expect(episodes.count == 1)
        #expect(episodes.first?["goal"] as? String == "Find Bob <b>&</b> call him")
        #expect(episodes.first?["screenshots"] as? Int == 10)
        let actions = try #require(episodes.first?["actions"] as? [[String: Any]])
        #expect(
            actions.map { $0["action_type"] as? String ?? "?" } == [
                "open_app", "click", "scroll", "input_text", "unmapped", "long_press", "navigate_back",
                "navigate_home", "wait"
            ])
        #expect(actions[0]["app_name"] as? String == "Contacts")
        // Grid [500,250] on 200×400 pixels; [999,999] clamps to the last pixel.
        #expect(actions[1]["x"] as? Int == 100 && actions[1]["y"] as? Int == 100)
        #expect(actions[2]["direction"] as? String == "down", "a finger moving up scrolls down")
        #expect(actions[3]["text"] as? String == "Bob <Martin> & \"co\"")
        #expect(actions[4]["tether_action"] as? String == #"do(action="Double Tap", element=[100,900])"#)
        #expect(actions[5]["x"] as? Int == 199 && actions[5]["y"] as? Int == 399)

        // The line itself: screenshots copied beside it, no UI trees in a model run.
        let line = try JSONDecoder().decode(
            AndroidControlExport.Line.self,
            from: Data(contentsOf: folder.url.appendingPathComponent("episodes.jsonl")))
        #expect(line.screenshots.first == "run-1/screenshot-0000.png")
        #expect(line.accessibilityTrees == Array(repeating: nil, count: 10))
        #expect(line.tetherSteps == Array(1...10))
        #expect(line.screenshotWidths.allSatisfy { $0 == 200 } && line.screenshotHeights.allSatisfy { $0 == 400 })
    }

    @Test func scrollDirectionIsAgainstTheFinger() {
        let centre = GridPoint(x: 500, y: 500)
        #expect(AndroidControlAction.scrollDirection(from: centre, to: GridPoint(x: 500, y: 100)) == "down")
        #expect(AndroidControlAction.scrollDirection(from: centre, to: GridPoint(x: 500, y: 900)) == "up")
        #expect(AndroidControlAction.scrollDirection(from: centre, to: GridPoint(x: 100, y: 550)) == "right")
        #expect(AndroidControlAction.scrollDirection(from: centre, to: GridPoint(x: 900, y: 450)) == "left")
    }

    @Test func twoEpisodesOfOneNameGetTwoFoldersAndAnOutputFolderInUseIsRefused() async throws {
        let scratch = TemporaryDirectory()
        let a = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("a/run"))
        let b = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("b/run"), task: "Second")
        var folder = try ExportFolder(scratch.url.appendingPathComponent("out"))
        _ = try AndroidControlExport().export([a, b], to: &folder)
        let text = try String(contentsOf: folder.url.appendingPathComponent("episodes.jsonl"), encoding: .utf8)
        let lines = try text.split(separator: "\n").map { try JSONDecoder().decode(AndroidControlExport.Line.self, from: Data($0.utf8)) }
        #expect(lines.map(\.episodeName) == ["run", "run-2"])
        #expect(lines.map(\.episodeId) == [0, 1])
        #expect(lines.map(\.goal) == ["Find Bob <b>&</b> call him", "Second"])
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("run-2/screenshot-0009.png").path))

        #expect(throws: ExportError.self) { _ = try ExportFolder(folder.url) }

        // Names are kept to letters, digits, - _ and . in the export.
        let odd = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("my run (1)"))
        var other = try ExportFolder(scratch.url.appendingPathComponent("out2"))
        #expect(other.name(for: odd) == "my_run__1_")
    }

    /// The person's demonstrations in Trajectories/ (JPEG screens, a UI tree per step).
    @Test func exportsTheRecordedDemonstrationsWithTheirTrees() async throws {
        let names = ["bob-number-to-alice", "dark-mode", "delete-david"]
        let episodes = try names.map { try Episode(contentsOf: ExportFixtures.repository.appendingPathComponent("Trajectories/\($0)")) }
        let scratch = TemporaryDirectory()
        var folder = try ExportFolder(scratch.url.appendingPathComponent("out"))
        let summary = try AndroidControlExport().export(episodes, to: &folder)
        #expect(summary.episodes == 3)
        #expect(summary.actions == episodes.map { $0.steps.count - 1 }.reduce(0, +))

        let result = try await ExportFixtures.check(["androidcontrol", folder.url.path])
        let read = try #require(result["episodes"] as? [[String: Any]])
        #expect(read.map { $0["goal"] as? String } == episodes.map(\.info.task))
        let bob = try #require(read.first?["actions"] as? [[String: Any]])
        #expect(bob.first?["action_type"] as? String == "click")
        // The first tap's pixels are the person's touch, through the grid and back (720×1600).
        #expect(abs((bob.first?["x"] as? Int ?? 0) - 270) <= 1 && abs((bob.first?["y"] as? Int ?? 0) - 965) <= 2)
        #expect(bob.contains { $0["action_type"] as? String == "input_text" && $0["text"] as? String == "bob" })

        let lines = try String(contentsOf: folder.url.appendingPathComponent("episodes.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(AndroidControlExport.Line.self, from: Data($0.utf8)) }
        #expect(lines[0].screenshots.first == "bob-number-to-alice/screenshot-0000.jpg")
        #expect(lines[0].accessibilityTrees.allSatisfy { $0 != nil }, "every step kept its UI tree")
        let tree = try String(contentsOf: folder.url.appendingPathComponent(lines[0].accessibilityTrees[0] ?? ""), encoding: .utf8)
        #expect(tree.contains("<hierarchy"))
        #expect(lines[2].actions.contains { $0.actionType == "scroll" }, "delete-david's swipe")
    }
}
