import TetherTestSupport
import Testing
@testable import Trajectory
import Basics

/// Generated replies: random actions (strings full of quotes, backslashes, newlines, CJK,
/// `finish(` and closing tags), written in random but valid surface forms, must parse back to
/// the same action; broken forms must fail and never come back as finish.
@Suite struct ActionParserPropertyTests {
    static let pieces = [
        "a", "Z", "7", " ", "\"", "'", "\\", "\n", "\t", ",", ")", "(", "]", "[", "=",
        "你好", "微信", "😀", "finish(", "do(action=", "</answer>", "<think>", "é", "。", "\\n"
    ]

    static func randomString(_ rng: inout SplitMix64, allowEmpty: Bool = true) -> String {
        let n = Int.random(in: (allowEmpty ? 0 : 1)...8, using: &rng)
        return (0..<n).map { _ in pieces.randomElement(using: &rng) ?? "a" }.joined()
    }

    static func randomPoint(_ rng: inout SplitMix64) -> GridPoint {
        GridPoint(x: Int.random(in: 0...999, using: &rng), y: Int.random(in: 0...999, using: &rng))
    }

    static func randomAction(_ rng: inout SplitMix64) -> Action {
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: return .launch(app: "App" + randomString(&rng).filter { !$0.isWhitespace } + "x")
        case 1: return .tap(randomPoint(&rng), sensitiveMessage: nil)
        case 2: return .tap(randomPoint(&rng), sensitiveMessage: randomString(&rng))
        case 3: return .type(randomString(&rng))
        case 4: return .typeName(randomString(&rng))
        case 5: return .swipe(from: randomPoint(&rng), to: randomPoint(&rng))
        case 6: return .longPress(randomPoint(&rng))
        case 7: return .doubleTap(randomPoint(&rng))
        case 8: return .back
        case 9: return .home
        case 10: return .wait(seconds: Double(Int.random(in: 0...20, using: &rng)))
        case 11: return .takeOver(message: randomString(&rng))
        case 12: return .interact
        case 13: return .note(message: randomString(&rng))
        case 14: return .callAPI(instruction: randomString(&rng))
        default: return .finish(message: randomString(&rng))
        }
    }

    /// A string literal in the given quote, escaping what must be escaped and, at random,
    /// some characters that need not be.
    static func literal(_ s: String, quote: Character, _ rng: inout SplitMix64) -> String {
        var out = String(quote)
        for ch in s {
            switch ch {
            case quote: out += "\\" + String(ch)
            case "\\": out += "\\\\"
            case "\n": out += Bool.random(using: &rng) ? "\\n" : "\n"
            case "\t": out += Bool.random(using: &rng) ? "\\t" : "\t"
            case "\"", "'": out += Bool.random(using: &rng) ? "\\" + String(ch) : String(ch)
            default: out.append(ch)
            }
        }
        out.append(quote)
        return out
    }

    /// The action in a random valid surface form.
    static func render(_ action: Action, _ rng: inout SplitMix64) -> String {
        let quote: Character = Bool.random(using: &rng) ? "\"" : "'"
        func sp() -> String { ["", "", " ", "  ", "\n"].randomElement(using: &rng) ?? "" }
        func str(_ s: String) -> String { literal(s, quote: quote, &rng) }
        func pt(_ p: GridPoint) -> String { "[\(sp())\(p.x)\(sp()),\(sp())\(p.y)\(sp())]" }
        func call(_ fn: String, _ args: [(String, String)]) -> String {
            let body = args.map { "\($0.0)\(sp())=\(sp())\($0.1)" }.joined(separator: "\(sp()),\(sp())")
            return "\(fn)(\(sp())\(body)\(sp()))"
        }
        func act(_ name: String, _ rest: [(String, String)] = []) -> String {
            call("do", [("action", str(name))] + rest)
        }
        switch action {
        case .launch(let app): return act("Launch", [("app", str(app))])
        case .tap(let p, nil): return act("Tap", [("element", pt(p))])
        case .tap(let p, let m?): return act("Tap", [("element", pt(p)), ("message", str(m))])
        case .type(let t): return act("Type", [("text", str(t))])
        case .typeName(let t): return act("Type_Name", [("text", str(t))])
        case .swipe(let a, let b): return act("Swipe", [("start", pt(a)), ("end", pt(b))])
        case .longPress(let p): return act("Long Press", [("element", pt(p))])
        case .doubleTap(let p): return act("Double Tap", [("element", pt(p))])
        case .back: return act("Back")
        case .home: return act("Home")
        case .wait(let s): return act("Wait", [("duration", str("\(Int(s)) seconds"))])
        case .takeOver(let m): return act("Take_over", [("message", str(m))])
        case .interact: return act("Interact")
        case .note(let m): return act("Note", [("message", str(m))])
        case .callAPI(let i): return act("Call_API", [("instruction", str(i))])
        case .shortcut: return action.grammarText
        case .finish(let m): return call("finish", [("message", str(m))])
        }
    }

    /// Wraps an answer the ways servers deliver it.
    static func wrap(_ answer: String, thinking: String, _ rng: inout SplitMix64) -> String {
        let box = Bool.random(using: &rng)
        let a = box ? "<|begin_of_box|>\(answer)<|end_of_box|>" : answer
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "<think>\(thinking)</think>\n<answer>\(a)</answer>"
        case 1: return "<think>\(thinking)</think><answer>\(a)"
        case 2: return "\(thinking)\n\(a)</answer>"
        case 3: return "\(thinking) \(a)"
        default: return "  <think>\n\(thinking)\n</think>\n\n<answer>  \(a)  </answer>\n"
        }
    }

    /// Reasoning that mentions calls but is not an answer.
    static func thinking(_ rng: inout SplitMix64) -> String {
        [
            "The screen shows a list.",
            #"I must not finish(message="yet") because the task is open."#,
            #"Last time do(action="Back") did nothing."#,
            "当前页面是聊天列表，需要找到联系人。",
            ""
        ].randomElement(using: &rng) ?? ""
    }

    @Test(arguments: 0..<8)
    func generatedRepliesParseBack(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0xC0FFEE &+ seed)
        for _ in 0..<150 {
            let action = Self.randomAction(&rng)
            let think = Self.thinking(&rng)
            let reply = Self.wrap(Self.render(action, &rng), thinking: think, &rng)
            let parsed: ParsedReply
            do {
                parsed = try ActionParser.parse(reply)
            } catch {
                Issue.record("\(error)\nreply: \(reply)")
                continue
            }
            #expect(parsed.action == action, "reply: \(reply)")
            // The canonical line reads back to the same action, and so does the transcript form.
            #expect(try ActionParser.parse(parsed.action.grammarText).action == action)
            #expect(try ActionParser.parse(parsed.transcriptText).action == action)
        }
    }

    @Test(arguments: 0..<4)
    func truncatedRepliesNeverBecomeFinish(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0xBAD &+ seed)
        for _ in 0..<150 {
            let action = Self.randomAction(&rng)
            if action.isFinish { continue }
            let answer = Self.render(action, &rng)
            // Cut inside the call: before its closing parenthesis.
            guard let close = answer.lastIndex(of: ")") else { continue }
            let cut = answer[..<close]
            let keep = Int.random(in: 0...cut.count, using: &rng)
            let reply = "<think>working</think><answer>" + String(cut.prefix(keep))
            do {
                let parsed = try ActionParser.parse(reply)
                // Rarely a cut still forms a complete call (e.g. inside a string that held a
                // full call); it must then not be a finish the reply never contained.
                #expect(!parsed.action.isFinish, "reply: \(reply)")
            } catch {
                // Expected: an error, which the loop handles.
            }
        }
    }
}
