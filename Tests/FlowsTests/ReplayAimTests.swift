import AndroidPhone
import Flows
import Foundation
import Testing
import Trajectory

@Suite struct ReplayAimTests {
    let episode = repository.appendingPathComponent("Trajectories/bob-number-to-alice")

    @Test func theRecordedScreenMatchesAndAMovedOneIsReAimedAndAMissingOneDiverges() throws {
        let loaded = try Episode(contentsOf: episode)
        let step = try #require(loaded.steps.first)
        let element = try #require(step.element)
        let gesture = try #require(step.gesture)
        let point = (x: try #require(gesture.x), y: try #require(gesture.y))
        let xml = try String(contentsOf: episode.appendingPathComponent(try #require(step.uiTree)), encoding: .utf8)
        let tree = try UIHierarchy(xml: xml)
        let same = ReplayAim.aim(
            element: element, point: point, recordedWidth: 720, recordedHeight: 1600, tree: tree, width: 720, height: 1600)
        #expect(same == .matched(x: point.x, y: point.y))

        var moved = element
        moved.bounds = [element.bounds[0] + 300, element.bounds[1], element.bounds[2] + 300, element.bounds[3]]
        let shifted = ReplayAim.aim(
            element: moved, point: (point.x + 300, point.y), recordedWidth: 720, recordedHeight: 1600, tree: tree,
            width: 720, height: 1600)
        guard case .reAimed(_, _, let dx, _) = shifted else {
            Issue.record("expected re-aimed, got \(shifted)")
            return
        }
        #expect(dx < -200)

        var missing = element
        missing.contentDescription = "No Such App"
        missing.text = "No Such App"
        missing.className = "android.widget.Nothing"
        guard
            case .diverged(let why) = ReplayAim.aim(
                element: missing, point: point, recordedWidth: 720, recordedHeight: 1600, tree: tree, width: 720, height: 1600)
        else {
            Issue.record("expected a divergence")
            return
        }
        #expect(why.contains("No Such App") && why.contains("Contacts"))
    }
}
