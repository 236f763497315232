import Testing
@testable import Inference

@Suite struct ChatFormatTests {
    func messages(_ c: Fixture.ChatCase) -> [ChatMessage] {
        c.messages.map { m in
            let placeholder = ChatFormat.imagePlaceholder + "\n"
            switch m.role {
            case "system": return .system(m.content)
            case "assistant": return .assistant(m.content)
            default:
                if m.content.hasPrefix(placeholder) {
                    return .user(String(m.content.dropFirst(placeholder.count)), images: 1)
                }
                return .user(m.content)
            }
        }
    }

    @Test func rendersLikeTheTemplate() {
        for c in Fixture.reference.chat {
            #expect(ChatFormat.render(messages(c)) == c.rendered)
        }
    }

    @Test func imagesComeFirstEachOnItsOwnLine() {
        let s = ChatFormat.render([.user("look", images: 2)], addGenerationPrompt: false)
        #expect(s == "[gMASK]<sop><|user|>\n" + ChatFormat.imagePlaceholder + "\n" + ChatFormat.imagePlaceholder + "\nlook")
    }

    @Test func parsesThinkAndAnswer() {
        let r = ChatFormat.parseReply("<think>plan</think><answer>do(action=\"Back\")</answer>")
        #expect(r.thinking == "plan")
        #expect(r.answer == "do(action=\"Back\")")
        #expect(ChatFormat.parseReply("no tags").answer == nil)
    }
}
