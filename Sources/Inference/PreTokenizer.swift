import Foundation
import Basics

/// How text is cut into pieces before BPE: tokenizer.json's `pre_tokenizer`, as a list of
/// splitting steps applied in order (each step splits every piece of the step before).
///
/// A Split step (behaviour Isolated: matches and the text between them each become a piece) on
/// GLM-4's pattern runs the hand-written `GLMPreTokenizer`; any other pattern runs through ICU
/// (`RegexSplitter`). A ByteLevel step splits on GPT-2's pattern when its `use_regex` is on.
struct PreTokenizer: Sendable {
    enum Step: Sendable {
        case glm
        case regex(RegexSplitter)
    }

    let steps: [Step]

    /// The pattern of ByteLevel's own split (`use_regex`, on unless turned off).
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    init(steps: [Step]) { self.steps = steps }

    init(json p: JSON?) throws {
        guard let p, !p.isNull else {
            throw InferenceError.tokenizer("pre_tokenizer is missing; expected Split and/or ByteLevel")
        }
        let items: [JSON] = p["type"]?.string == "Sequence" ? (p["pretokenizers"]?.array ?? []) : [p]
        var steps: [Step] = []
        var sawByteLevel = false
        for s in items {
            switch s["type"]?.string {
            case "Split":
                guard (s["behavior"]?.string ?? "Isolated") == "Isolated", s["invert"]?.bool != true else {
                    throw InferenceError.tokenizer(
                        "pre_tokenizer Split has behavior \(s["behavior"]?.string ?? "?")\(s["invert"]?.bool == true ? " inverted" : ""); only Isolated, not inverted, is supported")
                }
                if let regex = s["pattern"]?["Regex"]?.string {
                    steps.append(regex == GLMPreTokenizer.pattern ? .glm : .regex(try RegexSplitter(pattern: regex)))
                } else if let literal = s["pattern"]?["String"]?.string {
                    steps.append(.regex(try RegexSplitter(pattern: NSRegularExpression.escapedPattern(for: literal))))
                } else {
                    throw InferenceError.tokenizer("pre_tokenizer Split has no pattern (expected {\"Regex\": …} or {\"String\": …})")
                }
            case "ByteLevel":
                if s["add_prefix_space"]?.bool == true {
                    throw InferenceError.tokenizer("pre_tokenizer ByteLevel with add_prefix_space=true is not supported")
                }
                if s["use_regex"]?.bool ?? true { steps.append(.regex(try RegexSplitter(pattern: Self.gpt2Pattern))) }
                sawByteLevel = true
            default:
                throw InferenceError.tokenizer(
                    "pre_tokenizer \(s["type"]?.string ?? "?") is not supported; expected Split and/or ByteLevel")
            }
        }
        guard sawByteLevel else {
            throw InferenceError.tokenizer("pre_tokenizer has no ByteLevel step; this tokenizer reads byte-level BPE only")
        }
        self.steps = steps
    }

    /// The pieces of `text`, in order; together they are `text`.
    func split(_ text: Substring) -> [Substring] {
        var pieces = [text]
        for step in steps {
            var next: [Substring] = []
            for piece in pieces {
                switch step {
                case .glm: next += GLMPreTokenizer.split(piece)
                case let .regex(splitter): next += splitter.split(piece)
                }
            }
            pieces = next
        }
        return pieces
    }
}
