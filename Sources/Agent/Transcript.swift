import Trajectory
import Foundation
import Imaging

/// Counts tokens of text, for trimming history to the context budget.
public protocol TokenCounter: Sendable {
    func count(_ text: String) -> Int
}

/// A cautious estimate for the GLM-4 tokenizer when the real one is not at hand: one token per
/// CJK or other non-ASCII character, one per three ASCII bytes. It over-counts rather than
/// under-counts, so a trimmed history fits.
public struct EstimatedTokenCounter: TokenCounter {
    public init() {}

    public func count(_ text: String) -> Int {
        var ascii = 0, other = 0
        for s in text.unicodeScalars {
            if s.isASCII { ascii += 1 } else { other += 1 }
        }
        return other + (ascii + 2) / 3
    }
}

/// The conversation with the model, in the layout it was trained on:
///
/// - system: the system prompt;
/// - first user turn: screenshot, then `TASK\n\n{"current_app": "…"}`;
/// - later user turns: screenshot, then `** Screen Info **\n\n{"current_app": "…"}`;
/// - assistant turns: `<think>…</think><answer>…</answer>`.
///
/// Only the newest user turn carries its screenshot. Feedback for the model (an action's
/// failure, a shortcut's result, the user's answer, a correction) goes into the screen-info
/// JSON as `"feedback"`.
public struct Transcript: Sendable {
    public struct Turn: Sendable, Equatable {
        public var userText: String
        /// The reply to this turn: parsed (`thinking` + `answer`) or raw when it did not parse.
        public var reply: Reply?
    }

    public enum Reply: Sendable, Equatable {
        case parsed(thinking: String, answer: String)
        case raw(String)

        func text(keepThinking: Bool) -> String {
            switch self {
            case .parsed(let t, let a): keepThinking ? "<think>\(t)</think><answer>\(a)</answer>" : "<think></think><answer>\(a)</answer>"
            case .raw(let r): r
            }
        }
    }

    public let systemPrompt: String
    public let task: String
    public private(set) var turns: [Turn] = []

    public init(systemPrompt: String, task: String) {
        self.systemPrompt = systemPrompt
        self.task = task
    }

    /// The screen-info JSON, written as the reference agent writes it (`", "` and `": "`
    /// separators, non-ASCII kept as is).
    public static func screenInfo(currentApp: String, feedback: String? = nil) -> String {
        var out = "{\"current_app\": \(jsonString(currentApp))"
        if let feedback { out += ", \"feedback\": \(jsonString(feedback))" }
        return out + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Adds the user turn for a new screen. The previous turn must have its reply.
    public mutating func addObservation(currentApp: String, feedback: String? = nil) {
        let info = Transcript.screenInfo(currentApp: currentApp, feedback: feedback)
        let text = turns.isEmpty ? "\(task)\n\n\(info)" : "** Screen Info **\n\n\(info)"
        turns.append(Turn(userText: text, reply: nil))
    }

    /// Records the model's reply to the newest user turn.
    public mutating func addReply(_ reply: Reply) {
        guard !turns.isEmpty else { return }
        turns[turns.count - 1].reply = reply
    }

    /// The request for the newest user turn, with `image` on it, trimmed so that the text fits
    /// `budget` tokens: first the reasoning of old replies is dropped (oldest first, the last
    /// `keepRecent` replies keep theirs), then old exchanges (the first turn, which holds the
    /// task, always stays).
    public func request(
        image: Image?, sampling: SamplingOptions = .autoGLM, budget: Int = .max,
        counter: TokenCounter = EstimatedTokenCounter(), keepRecent: Int = 2
    ) -> ModelRequest {
        ModelRequest(
            messages: messages(image: image, budget: budget, counter: counter, keepRecent: keepRecent),
            sampling: sampling)
    }

    func messages(image: Image?, budget: Int, counter: TokenCounter, keepRecent: Int) -> [ModelMessage] {
        let n = turns.count
        var keepThinking = Array(repeating: true, count: n)
        var included = Array(repeating: true, count: n)
        func cost(_ messages: [ModelMessage]) -> Int { messages.reduce(0) { $0 + counter.count($1.text) } }

        var messages = assemble(included: included, keepThinking: keepThinking, image: image)
        guard cost(messages) > budget else { return messages }
        // Replies older than the newest `keepRecent` lose their reasoning, oldest first.
        let answered = (0..<n).filter { turns[$0].reply != nil }
        for i in answered.dropLast(keepRecent) {
            keepThinking[i] = false
            messages = assemble(included: included, keepThinking: keepThinking, image: image)
            if cost(messages) <= budget { return messages }
        }
        // Then whole exchanges, oldest first; the first turn (the task) and the newest stay.
        var i = 1
        while i < n - 1 {
            included[i] = false
            messages = assemble(included: included, keepThinking: keepThinking, image: image)
            if cost(messages) <= budget { return messages }
            i += 1
        }
        return messages
    }

    /// The messages with some turns left out. A left-out user turn takes the reply before it
    /// along: a kept turn is followed by the reply of the last left-out turn after it, so the
    /// newest reply always stays and user and assistant still alternate.
    private func assemble(included: [Bool], keepThinking: [Bool], image: Image?) -> [ModelMessage] {
        var out = [ModelMessage(role: .system, text: systemPrompt)]
        let n = turns.count
        var i = 0
        while i < n {
            guard included[i] else { i += 1; continue }
            let isLast = i == n - 1
            out.append(ModelMessage(role: .user, text: turns[i].userText, image: isLast ? image : nil))
            // The reply to show: this turn's own, or the last reply of the dropped run after it.
            var j = i
            while j + 1 < n, !included[j + 1] { j += 1 }
            if let reply = turns[j].reply {
                out.append(ModelMessage(role: .assistant, text: reply.text(keepThinking: keepThinking[j])))
            }
            i = j + 1
        }
        return out
    }
}
