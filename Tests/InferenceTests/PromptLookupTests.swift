import Basics
import Foundation
import Testing

@testable import Inference

/// Prompt-lookup drafting and the speculative decoding built on it: the drafts are what followed
/// the latest earlier occurrence of the longest recent n-gram, and decoding with them gives the
/// tokens plain decoding gives.
@Suite struct PromptLookupTests {
    @Test func theLongestRecentMatchIsContinued() {
        // "7 1 2 3" occurs earlier followed by 4 5 6; the 1-token suffix alone would also match.
        let context = [7, 1, 2, 3, 4, 5, 6, 9, 9, 7, 1, 2, 3]
        #expect(PromptLookup.draft(context, limit: 3) == [4, 5, 6])
        #expect(PromptLookup.draft(context, limit: 10) == [4, 5, 6, 9, 9, 7, 1, 2, 3])
        // Of two occurrences, the latest wins.
        #expect(PromptLookup.draft([1, 2, 8, 1, 2, 9, 1, 2], limit: 1) == [9])
        // A single repeated token is not enough; nothing repeated, no draft.
        #expect(PromptLookup.draft([5, 6, 7, 5], limit: 4).isEmpty)
        #expect(PromptLookup.draft([1, 2, 3, 4, 5], limit: 4).isEmpty)
        #expect(PromptLookup.draft([1, 2, 1, 2], limit: 0).isEmpty)
        #expect(PromptLookup.draft([], limit: 4).isEmpty)
    }

    /// On random token strings over a small alphabet: a draft is never longer than asked, and it
    /// is exactly what followed an earlier occurrence of the context's last two tokens or more.
    @Test func everyDraftContinuesAnEarlierOccurrence() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let length = Int(rng.next() % 40)
            let context = (0..<length).map { _ in Int(rng.next() % 4) }
            let limit = Int(rng.next() % 8)
            let draft = PromptLookup.draft(context, limit: limit)
            #expect(draft.count <= limit)
            guard !draft.isEmpty else { continue }
            let found = (2...4).contains { size in
                guard context.count > size else { return false }
                let suffix = Array(context.suffix(size))
                return (0..<(context.count - size)).contains { start in
                    Array(context[start..<start + size]) == suffix
                        && Array(context[(start + size)..<min(start + size + draft.count, context.count)]) == draft
                }
            }
            #expect(found, "\(draft) does not continue an earlier occurrence in \(context)")
        }
    }

    /// The tiny reference model: greedy tokens with drafting equal those without, and equal
    /// transformers' (the fixture), with and without a frequency penalty.
    @Test func draftingChangesNoTokenOfTheTinyModel() async throws {
        let model = try GLM4VModel(directory: Fixture.tiny)
        let reference = Fixture.reference
        let prompt = try model.prompt(
            [.system("SYS"), .user("Open Chrome\n\n{\"current_app\": \"System Home\"}", images: 1)],
            images: [Fixture.rgbaImage("exact")])
        for penalty in [Float(0), reference.frequency_penalty] {
            var plain = GenerationOptions(maxTokens: 24, frequencyPenalty: penalty, stopTokenIds: [])
            plain.draftTokens = 0
            var drafted = plain
            drafted.draftTokens = 7
            let a = try await model.generate(prompt, options: plain)
            let b = try await model.generate(prompt, options: drafted)
            #expect(a.generatedIds == b.generatedIds, "penalty \(penalty)")
            #expect(a.timings.draftedTokens == 0)
            #expect(a.timings.decodePasses == a.generatedIds.count - 1)
            // Each pass yields its accepted drafts and the token after them (but the last pass,
            // when the end came within its drafts).
            let yielded = b.timings.decodePasses + b.timings.acceptedDraftTokens
            #expect(yielded == b.generatedIds.count - 1 || yielded == b.generatedIds.count)
        }
        let r = try await model.generate(prompt, options: GenerationOptions(maxTokens: 10, stopTokenIds: []))
        #expect(r.generatedIds == reference.generated_ids)
    }
}
