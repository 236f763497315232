import AndroidPhone
import Flows
import Testing

@Suite struct SelectorMatcherTests {
    static func node(_ text: String, id: String = "", _ bounds: String, checked: Bool = false, children: String = "") -> String {
        let attributes = "text=\"\(text)\" resource-id=\"\(id)\" class=\"android.widget.TextView\" package=\"p\" content-desc=\"\" checked=\"\(checked)\" bounds=\"\(bounds)\""
        return children.isEmpty ? "<node \(attributes)/>" : "<node \(attributes)>\(children)</node>"
    }

    static let xml =
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
        + node(
            "", "[0,0][1080,2400]",
            children: node("Title", id: "app:id/title_label", "[0,100][1080,200]")
                + node("Save", id: "app:id/save", "[0,300][500,400]")
                + node("Save", id: "app:id/save_copy", "[0,600][500,700]")
                + node(
                    "", id: "app:id/list", "[0,800][1080,1000]",
                    children: node("Row one", "[0,800][1080,900]") + node("Row two", "[0,900][1080,1000]")
                        + node("Row three (scrolled out)", "[0,1000][1080,1100]"))
                + node("ON", id: "android:id/switch_widget", "[900,120][1000,180]", checked: true))
        + "</hierarchy>"

    static let tree: UIHierarchy = (try? UIHierarchy(xml: xml)) ?? UIHierarchy(rotation: 0, nodes: [])

    let matcher = SelectorMatcher(screenWidth: 1080, screenHeight: 2400)

    @Test func textIsACaseInsensitiveWholeRegexOrTheTextItself() {
        #expect(Self.tree.allNodes.count == 9, "the test's tree parsed")
        #expect(matcher.matches(Selector(text: "save"), in: Self.tree).count == 2)
        #expect(matcher.matches(Selector(text: "Sav"), in: Self.tree).isEmpty)
        #expect(matcher.matches(Selector(text: "Row (one|two)"), in: Self.tree).map(\.text) == ["Row one", "Row two"])
        #expect(matcher.matches(Selector(text: "Row three (scrolled out)"), in: Self.tree).isEmpty, "clipped by its list")
    }

    @Test func idMatchesTheWholeIdOrItsPartAfterTheColon() {
        var s = Selector()
        s.id = "save"
        #expect(matcher.matches(s, in: Self.tree).map(\.resourceId) == ["app:id/save"])
        s.id = "save.*"
        s.index = 1
        #expect(matcher.matches(s, in: Self.tree).map(\.resourceId) == ["app:id/save_copy"])
    }

    @Test func relationsAndStates() {
        var below = Selector(text: "Save")
        below.below = Selector.Box(Selector(text: "Save"))
        #expect(matcher.matches(below, in: Self.tree).map(\.resourceId) == ["app:id/save_copy"])
        var inside = Selector(text: "Row.*")
        inside.childOf = Selector.Box(
            {
                var s = Selector()
                s.id = "list"
                return s
            }())
        #expect(matcher.matches(inside, in: Self.tree).count == 2)
        var checked = Selector()
        checked.id = "switch_widget"
        checked.checked = false
        #expect(matcher.matches(checked, in: Self.tree).isEmpty)
        checked.checked = true
        #expect(matcher.matches(checked, in: Self.tree).count == 1)
    }
}
