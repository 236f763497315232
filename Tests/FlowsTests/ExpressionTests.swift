import Flows
import Testing

@Suite struct ExpressionTests {
    func render(_ template: String, _ variables: [String: String]) throws -> String {
        var vars = variables
        return try Expression.parseTemplate(template).map { segment in
            switch segment {
            case .text(let t): t
            case .expression(let e, _): e.evaluate(&vars).text
            }
        }.joined()
    }

    @Test func variablesDefaultsAndComparisons() throws {
        #expect(try render("Hi ${NAME}!", ["NAME": "Ada"]) == "Hi Ada!")
        #expect(try render("${MISSING || 'guest'}", [:]) == "guest")
        #expect(try render("${A == 'x' && B != 'y'}", ["A": "x", "B": "z"]) == "true")
        #expect(try render("${N + 1}", ["N": "41"]) == "42")
        #expect(try render("${'a' + N}", ["N": "1"]) == "a1")
        #expect(try render("${!(A == 'x')}", ["A": "x"]) == "false")
    }

    @Test func assignmentWritesTheVariable() throws {
        var vars: [String: String] = ["X": "3"]
        let e = try Expression.parse("output.y = X + 2")
        _ = e.evaluate(&vars)
        #expect(vars["output.y"] == "5")
    }

    @Test func javaScriptBeyondTheSubsetIsRefused() {
        #expect(throws: Expression.SyntaxError.self) { try Expression.parse("Math.max(1, 2)") }
        #expect(throws: Expression.SyntaxError.self) { try Expression.parseTemplate("${unclosed") }
    }
}
