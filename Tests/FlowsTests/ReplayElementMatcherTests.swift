import AndroidPhone
import Flows
import Testing
import Trajectory

@Suite struct ReplayElementMatcherTests {
    func node(_ id: String = "", text: String = "", cls: String = "android.widget.TextView", _ b: Bounds) -> String {
        "<node index=\"0\" text=\"\(text)\" resource-id=\"\(id)\" class=\"\(cls)\" package=\"p\" content-desc=\"\" bounds=\"\(b)\"/>"
    }

    func tree(_ nodes: [String]) throws -> UIHierarchy {
        try UIHierarchy(xml: "<?xml version='1.0' ?><hierarchy rotation=\"0\">\(nodes.joined())</hierarchy>")
    }

    let recorded = ScreenElement(
        text: "Send", resourceId: "app:id/send", className: "android.widget.Button", bounds: [100, 100, 200, 150])
    let matcher = RecordedElementMatcher(recordedWidth: 720, recordedHeight: 1600, width: 720, height: 1600)

    @Test func resourceIdBeatsTextBeatsClass() throws {
        let byText = node(text: "Send", cls: "android.widget.Button", Bounds(left: 100, top: 100, right: 200, bottom: 150))
        let byId = node("app:id/send", text: "Go", Bounds(left: 400, top: 900, right: 500, bottom: 950))
        #expect(matcher.match(recorded, in: try tree([byText, byId]))?.rule == .resourceId)
        #expect(matcher.match(recorded, in: try tree([byText]))?.rule == .text)
        let byClass = node(cls: "android.widget.Button", Bounds(left: 110, top: 100, right: 210, bottom: 150))
        #expect(matcher.match(recorded, in: try tree([byClass]))?.rule == .classAndPosition)
        let farClass = node(cls: "android.widget.Button", Bounds(left: 500, top: 1400, right: 600, bottom: 1450))
        #expect(matcher.match(recorded, in: try tree([farClass])) == nil)
    }

    /// A neighbour of the same class with another label is not the recorded element (it was a
    /// false match: replay tapped Clock where the person had tapped Messages).
    @Test func aSameClassNeighbourWithAnotherLabelIsNotAMatch() throws {
        let other = node(text: "Cancel", cls: "android.widget.Button", Bounds(left: 110, top: 100, right: 210, bottom: 150))
        #expect(matcher.match(recorded, in: try tree([other])) == nil)
        let unlabelled = ScreenElement(text: "", resourceId: "", className: "android.widget.Button", bounds: [100, 100, 200, 150])
        #expect(matcher.match(unlabelled, in: try tree([other]))?.rule == .classAndPosition)
    }

    @Test func nearestCandidateWins() throws {
        let far = node("app:id/send", Bounds(left: 100, top: 1000, right: 200, bottom: 1050))
        let near = node("app:id/send", Bounds(left: 100, top: 160, right: 200, bottom: 210))
        #expect(matcher.match(recorded, in: try tree([far, near]))?.node.bounds.top == 160)
    }
}
