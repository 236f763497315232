import Foundation
import Testing
@testable import Inference
import Basics

/// Tokenizers with other families' pre-tokenizer patterns, against Hugging Face `tokenizers`
/// (Scripts/make-tokenizer-fixtures): the pieces of the Split and the ids after BPE.
@Suite struct PreTokenizerTests {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let pieces: [String]?
    }
    struct Corpus: Decodable {
        let pattern: String?
        let cases: [Case]
    }

    static let families = ["cl100k", "qwen2", "glm-n2", "o200k", "gpt2"]

    static func folder(_ family: String) -> String { Fixture.directory + "/tokenizers/" + family }

    static func corpus(_ family: String) throws -> Corpus {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder(family) + "/corpus.json"))
        return try JSONDecoder().decode(Corpus.self, from: data)
    }

    @Test(arguments: families)
    func encodesLikeHuggingFace(family: String) throws {
        let tokenizer = try Tokenizer.load(directory: Self.folder(family))
        let corpus = try Self.corpus(family)
        #expect(corpus.cases.count >= 20)
        for c in corpus.cases {
            if let pieces = c.pieces {
                #expect(tokenizer.preTokenizer.split(c.text[...]).map(String.init) == pieces, "\(family): \(c.text.debugDescription)")
            }
            #expect(tokenizer.encode(c.text) == c.ids, "\(family): \(c.text.debugDescription)")
            #expect(tokenizer.decode(c.ids) == c.text, "\(family): \(c.text.debugDescription)")
        }
    }

    @Test func theGLMPatternTakesTheHandWrittenPathAndOthersTheRegexEngine() throws {
        func kinds(_ family: String) throws -> [String] {
            try Tokenizer.load(directory: Self.folder(family)).preTokenizer.steps.map {
                if case .glm = $0 { return "glm" } else { return "regex" }
            }
        }
        #expect(try kinds("cl100k") == ["glm"])
        #expect(try kinds("glm-n2") == ["regex"])
        #expect(try kinds("qwen2") == ["regex"])
        #expect(try kinds("gpt2") == ["regex"])
    }

    /// The hand-written matcher and ICU on the same pattern cut every corpus text alike.
    @Test func handWrittenMatcherAgreesWithTheRegexEngine() throws {
        let general = PreTokenizer(steps: [.regex(try RegexSplitter(pattern: Tokenizer.glmPattern))])
        let fast = PreTokenizer(steps: [.glm])
        var texts = Fixture.reference.corpus.map(\.text)
        for family in Self.families { texts += try Self.corpus(family).cases.map(\.text) }
        for text in texts {
            #expect(general.split(text[...]) == fast.split(text[...]), "\(text.debugDescription)")
        }
    }

    @Test func aPatternICURefusesIsAnErrorNamingIt() throws {
        let json = """
            {"normalizer": null, "decoder": {"type": "ByteLevel"},
             "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "(\\\\p{L}+"}, "behavior": "Isolated", "invert": false},
                {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
             "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": []}
            """
        #expect {
            try Tokenizer(json: JSON.parse(Data(json.utf8), path: "t"))
        } throws: { error in
            guard case let .tokenizer(message) = error as? InferenceError else { return false }
            return message.contains(#"(\\p{L}+"#) && message.contains("ICU")
        }
    }
}
