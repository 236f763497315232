import Foundation
import TetherTestSupport
import Testing
@testable import Trajectory

@Suite struct ViewerTests {
    @Test func pageHoldsEveryStepWithItsActionDrawnAndEscapesText() async throws {
        let scratch = TemporaryDirectory()
        let episode = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("run"))
        let html = try EpisodePage(episode: episode).html()
        #expect(html.components(separatedBy: "<section class=\"step\"").count - 1 == 10)
        #expect(html.components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 10)
        // The task's markup is text, not markup.
        #expect(html.contains("Find Bob &lt;b&gt;&amp;&lt;/b&gt; call him"))
        #expect(!html.contains("<b>&</b>"))
        // Step 2 taps grid [500,250]: pixel (100, 100) of 200×400.
        #expect(html.contains("<circle cx=\"100.0\" cy=\"100.0\""))
        // Step 3 swipes from pixel (100, 320) to (100, 80), with an arrow head.
        #expect(html.contains("x1=\"100.0\" y1=\"320.0\" x2=\"100.0\" y2=\"80.0\""))
        #expect(html.contains("marker-end=\"url(#arrow-3)\""))
        #expect(html.contains("⌨ Bob &lt;Martin&gt; &amp; &quot;co&quot;"))
        #expect(html.contains("capture 0.25 s (settle 0.10 s) · model 1.50 s · first text 0.50 s · act 0.12 s"))
        #expect(!html.contains("http://") && !html.contains("https://"), "nothing is loaded from outside")
    }

    @Test func missingScreenshotIsAnErrorThatNamesTheFile() async throws {
        let scratch = TemporaryDirectory()
        let episode = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("run"))
        try FileManager.default.removeItem(at: episode.directory.appendingPathComponent("screens/step-0004.png"))
        let error = #expect(throws: ExportError.self) { _ = try EpisodePage(episode: episode).html() }
        #expect(error?.message.contains("screens/step-0004.png") == true, "\(String(describing: error))")
    }

    /// The page in headless Chromium: every screenshot loads, every action is drawn, nothing is
    /// fetched from outside and the console has no error.
    @Test func loadsInChromiumWithNoConsoleErrors() async throws {
        let scratch = TemporaryDirectory()
        let episode = try await ExportFixtures.episode(in: scratch.url.appendingPathComponent("run"))
        let page = scratch.url.appendingPathComponent("episode.html")
        try Data(try EpisodePage(episode: episode).html().utf8).write(to: page)
        let state = try await ExportFixtures.check(["view", page.path])
        #expect(state["steps"] as? Int == 10)
        #expect(state["images"] as? Int == 10)
        #expect(state["loaded"] as? Int == 10)
        #expect(state["overlays"] as? Int == 10)
        #expect((state["external"] as? [String])?.isEmpty == true, "\(state["external"] ?? "")")
        #expect((state["errors"] as? [String])?.isEmpty == true, "\(state["errors"] ?? "")")
        #expect(state["title"] as? String == "Episode: Find Bob <b>&</b> call him")
    }

    /// A person's demonstration (Trajectories/): JPEG screens, the element under each touch.
    @Test func showsAPersonsDemonstrationInChromium() async throws {
        let episode = try Episode(contentsOf: ExportFixtures.repository.appendingPathComponent("Trajectories/bob-number-to-alice"))
        let html = try EpisodePage(episode: episode).html()
        #expect(html.components(separatedBy: "src=\"data:image/jpeg;base64,").count - 1 == episode.steps.count)
        #expect(html.contains("<p class=\"element\">on &quot;Contacts&quot; TextView [188,869–352,1061]</p>"))
        #expect(html.contains("<span class=\"source human\">person</span>"))
        let scratch = TemporaryDirectory()
        let page = scratch.url.appendingPathComponent("episode.html")
        try Data(html.utf8).write(to: page)
        let state = try await ExportFixtures.check(["view", page.path])
        #expect(state["loaded"] as? Int == episode.steps.count)
        #expect(state["overlays"] as? Int == episode.steps.count)
        #expect((state["errors"] as? [String])?.isEmpty == true, "\(state["errors"] ?? "")")
    }

    /// A person's swipe shows the finger's recorded path under the arrow.
    @Test func drawsAPersonsSwipePath() throws {
        let episode = try Episode(contentsOf: ExportFixtures.repository.appendingPathComponent("Trajectories/delete-david"))
        let swipe = try #require(episode.steps.first { $0.actionName == .swipe })
        let path = try #require(swipe.gesture?.path)
        let html = try EpisodePage(episode: episode).html()
        let points = path.map { "\($0.x),\($0.y)" }.joined(separator: " ")
        #expect(path.count > 1 && html.contains("<polyline points=\"\(points)\""))
        #expect(html.components(separatedBy: "<polyline").count - 1 == 1, "only the swipe has a path")
    }
}
