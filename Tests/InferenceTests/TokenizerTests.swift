import Testing
@testable import Inference

@Suite struct TokenizerTests {
    let tokenizer: Tokenizer

    init() throws { tokenizer = try Tokenizer.load(directory: Fixture.tiny) }

    @Test func encodesCorpusLikeHuggingFace() {
        for entry in Fixture.reference.corpus {
            #expect(tokenizer.encode(entry.text) == entry.ids, "text: \(entry.text.debugDescription)")
        }
    }

    @Test func decodesCorpusLikeHuggingFace() {
        for entry in Fixture.reference.corpus {
            #expect(tokenizer.decode(entry.ids) == entry.decoded, "text: \(entry.text.debugDescription)")
            #expect(
                tokenizer.decode(entry.ids, skipSpecialTokens: true) == entry.decoded_skip_special,
                "text: \(entry.text.debugDescription)")
        }
    }

    @Test func specialTokensHaveTheirIds() {
        for (token, id) in Fixture.reference.special_ids {
            #expect(tokenizer.id(of: token) == id)
            #expect(tokenizer.encode(token) == [id])
        }
    }

    @Test func refusesUnsupportedPreTokenizer() throws {
        let json = """
            {"normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "decoder": null,
             "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": []}
            """
        #expect(throws: InferenceError.self) { try Tokenizer(json: JSON.parse(Data(json.utf8), path: "t")) }
    }
}

import Foundation
import Basics
