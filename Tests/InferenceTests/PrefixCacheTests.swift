import Foundation
import Imaging
import Testing
@testable import Inference

/// Generation that reuses a previous call's KV cache must give what generation from scratch
/// gives (which ModelTests checks against transformers), while prefilling only the new tokens.
@Suite struct PrefixCacheTests {
    let model = Fixture.model
    static let system = "You are a phone agent. Think, then answer with one action."
    static let firstTurn = "Open Chrome\n\n{\"current_app\": \"System Home\"}"
    static let reply = "<think>The home screen.</think><answer>do(action=\"Launch\", app=\"Chrome\")</answer>"
    static let secondTurn = "** Screen Info **\n\n{\"current_app\": \"Chrome\"}"
    let options = GenerationOptions(maxTokens: 10, stopTokenIds: [])

    /// Step 1 of an agent run: the system prompt, then the task with the screenshot.
    func firstStep() throws -> Prompt {
        try model.prompt([.system(Self.system), .user(Self.firstTurn, images: 1)], images: [Fixture.rgbaImage("exact")])
    }

    /// Step 2: the first turn without its screenshot, the reply, then the new screenshot.
    func secondStep() throws -> Prompt {
        try model.prompt(
            [
                .system(Self.system), .user(Self.firstTurn), .assistant(Self.reply),
                .user(Self.secondTurn, images: 1)
            ], images: [Fixture.rgbaImage("downscale")])
    }

    static func commonPrefix(_ a: [Int], _ b: [Int]) -> Int {
        var i = 0
        while i < min(a.count, b.count), a[i] == b[i] { i += 1 }
        return i
    }

    func expectSame(_ a: GenerationResult, _ b: GenerationResult) {
        #expect(a.generatedIds == b.generatedIds)
        #expect(a.text == b.text)
        #expect(a.finishReason == b.finishReason)
        #expect(a.firstTop5.map(\.id) == b.firstTop5.map(\.id))
        #expect(relativeError(a.firstTop5.map(\.logit), b.firstTop5.map(\.logit)) < 1e-5)
    }

    @Test func agentStepsReuseTheTextPrefix() async throws {
        let cache = PrefixCache()
        let one = try firstStep(), two = try secondStep()

        let first = try await model.generate(one, options: options, prefixCache: cache)
        #expect(first.reusedPromptTokens == 0)
        #expect(first.timings.prefilledTokens == one.tokenIds.count)
        // Each vision block and each decoder layer's prefill is timed on its own.
        #expect(first.timings.visionBlocks.count == model.config.vision.depth)
        #expect(first.timings.prefillLayers.count == model.config.text.numLayers)
        #expect((first.timings.visionBlocks + first.timings.prefillLayers).allSatisfy { $0 > 0 })
        #expect(first.timings.visionBlocks.reduce(0, +) <= first.timings.vision)
        if first.generatedIds.count > 1 {
            #expect(first.timings.decodeLayers.count == model.config.text.numLayers)
        }
        // The prompt and the generated tokens fed back are held (not the last one picked).
        #expect(cache.heldTokens == one.tokenIds.count + first.generatedIds.count - 1)

        let second = try await model.generate(two, options: options, prefixCache: cache)
        // Everything before step 1's screenshot is reused: the system prompt and "<|user|>\n".
        let imageStart = try #require(one.tokenIds.firstIndex(of: model.config.imageStartTokenId))
        #expect(Self.commonPrefix(one.tokenIds, two.tokenIds) == imageStart)
        #expect(second.reusedPromptTokens == imageStart)
        #expect(second.timings.prefilledTokens == two.tokenIds.count - imageStart)
        #expect(second.timings.visionBlocks.count == model.config.vision.depth)
        #expect(imageStart > 10)

        let scratch = try await model.generate(two, options: options)
        #expect(scratch.reusedPromptTokens == 0)
        expectSame(second, scratch)
    }

    /// A different request between two steps (the agent's Call_API) does not push the steps'
    /// history out: the next step still reuses the previous step's prefix. With room for one
    /// entry it could not.
    @Test func anotherRequestBetweenStepsDoesNotEvictTheSteps() async throws {
        let one = try firstStep(), two = try secondStep()
        let aside = try model.prompt([.system("Answer from the notes."), .user("What did the page say?")], images: [])
        let imageStart = try #require(one.tokenIds.firstIndex(of: model.config.imageStartTokenId))

        let two_entries = PrefixCache(capacity: 2)
        _ = try await model.generate(one, options: options, prefixCache: two_entries)
        _ = try await model.generate(aside, options: options, prefixCache: two_entries)
        #expect(two_entries.count == 2)
        let kept = try await model.generate(two, options: options, prefixCache: two_entries)
        #expect(kept.reusedPromptTokens == imageStart)

        let one_entry = PrefixCache(capacity: 1)
        _ = try await model.generate(one, options: options, prefixCache: one_entry)
        _ = try await model.generate(aside, options: options, prefixCache: one_entry)
        #expect(one_entry.count == 1)
        let lost = try await model.generate(two, options: options, prefixCache: one_entry)
        #expect(lost.reusedPromptTokens < imageStart)
        expectSame(kept, lost)
    }

    @Test func theTokenBudgetDropsTheOldestEntries() async throws {
        let one = try firstStep()
        let aside = try model.prompt([.system("Answer from the notes."), .user("What did the page say?")], images: [])
        let small = PrefixCache(capacity: 4, maxHeldTokens: one.tokenIds.count + 5)
        _ = try await model.generate(one, options: options, prefixCache: small)
        _ = try await model.generate(aside, options: options, prefixCache: small)
        #expect(small.count == 1, "the newest stays; the older one no longer fits the budget")
        #expect(small.heldTokens <= one.tokenIds.count + 5 || small.count == 1)
    }

    @Test func suffixPrefillGivesTheWholePromptsLogits() throws {
        let two = try secondStep()
        let n = two.tokenIds.count
        let (pos, _) = try model.positions(for: two)
        let vocab = model.config.text.vocabSize
        // Every split: inside the text turns, at and inside the image, at the last token.
        // Measured: ≤ 1.1e-6 relative (the summation order differs, so it is not exact).
        var whole = model.emptyCache()
        let hiddenWhole = try model.text.forward(try model.inputEmbeddings(two), rows: n, positions: pos, cache: &whole)
        let logitsWhole = model.text.logits(hidden: hiddenWhole, rows: Array(0..<n))
        for split in 1..<n {
            var cache = model.emptyCache()
            let head = try model.inputEmbeddings(two)
            _ = try model.text.forward(
                Array(head.prefix(split * model.config.text.hiddenSize)), rows: split,
                positions: pos.map { Array($0[..<split]) }, cache: &cache)
            let tail = try model.inputEmbeddings(two, from: split)
            let hidden = try model.text.forward(
                tail, rows: n - split, positions: pos.map { Array($0[split...]) },
                cache: &cache)
            let logits = model.text.logits(hidden: hidden, rows: Array(0..<(n - split)))
            let expected = Array(logitsWhole[(split * vocab)...])
            #expect(relativeError(logits, expected) < 1e-5, "split at \(split)")
        }
    }

    @Test func theSamePromptAgainRunsOnlyItsLastToken() async throws {
        let cache = PrefixCache()
        let one = try firstStep()
        let first = try await model.generate(one, options: options, prefixCache: cache)
        let again = try await model.generate(one, options: options, prefixCache: cache)
        // The screenshot's pixels are the same, so its tokens are reused too.
        #expect(again.reusedPromptTokens == one.tokenIds.count - 1)
        #expect(again.timings.prefilledTokens == 1)
        #expect(again.timings.visionBlocks.isEmpty, "the image was served by the cache: no vision block ran")
        expectSame(again, first)
    }

    @Test func generatedTokensAreReusedAfterAnImage() async throws {
        // The next prompt continues the previous one's prompt and reply, so the generated tokens'
        // positions (index + rope delta, not sequential ids) must be the ones stored.
        let cache = PrefixCache()
        let one = try firstStep()
        let first = try await model.generate(one, options: options, prefixCache: cache)
        let (_, delta) = try model.positions(for: one)
        #expect(delta != 0)
        let more = model.tokenizer.encode("<|user|>\nnext<|assistant|>\n")
        let continued = Prompt(tokenIds: one.tokenIds + first.generatedIds + more, images: one.images)
        let second = try await model.generate(continued, options: options, prefixCache: cache)
        #expect(second.reusedPromptTokens == one.tokenIds.count + first.generatedIds.count - 1)
        expectSame(second, try await model.generate(continued, options: options))
    }

    @Test func aDifferentImageIsNotReused() async throws {
        let cache = PrefixCache()
        let exact = Fixture.rgbaImage("exact")
        var bytes = exact.bytes
        bytes[4 * 100] ^= 0x80
        let changed = try Image(width: exact.width, height: exact.height, bytes: bytes)
        let messages: [ChatMessage] = [.system(Self.system), .user(Self.firstTurn, images: 1)]
        let one = try model.prompt(messages, images: [exact])
        let two = try model.prompt(messages, images: [changed])
        // Same ids and positions; only the pixels differ.
        #expect(one.tokenIds == two.tokenIds)
        #expect(try model.positions(for: one).positions == model.positions(for: two).positions)
        _ = try await model.generate(one, options: options, prefixCache: cache)
        let second = try await model.generate(two, options: options, prefixCache: cache)
        let imageAt = try #require(two.tokenIds.firstIndex(of: model.config.imageTokenId))
        #expect(second.reusedPromptTokens == imageAt)
        expectSame(second, try await model.generate(two, options: options))
    }

    @Test func resetAndAnotherModelStartFromScratch() async throws {
        let cache = PrefixCache()
        let one = try firstStep()
        _ = try await model.generate(one, options: options, prefixCache: cache)
        #expect(cache.heldTokens > 0)
        cache.reset()
        #expect(cache.heldTokens == 0)
        #expect(try await model.generate(one, options: options, prefixCache: cache).reusedPromptTokens == 0)

        // Keys and values of one checkpoint mean nothing to another.
        let bf16 = try GLM4VModel(directory: Fixture.tinyBF16)
        let other = try await bf16.generate(one, options: options, prefixCache: cache)
        #expect(other.reusedPromptTokens == 0)
        #expect(other.generatedIds == (try await bf16.generate(one, options: options)).generatedIds)
    }

    @Test func concurrentCallsOnOneCacheAreBothRight() async throws {
        let cache = PrefixCache()
        let one = try firstStep(), two = try secondStep()
        let expectedOne = try await model.generate(one, options: options)
        let expectedTwo = try await model.generate(two, options: options)
        let model = self.model, options = self.options
        async let a = model.generate(one, options: options, prefixCache: cache)
        async let b = model.generate(two, options: options, prefixCache: cache)
        let (ra, rb) = try await (a, b)
        #expect(ra.generatedIds == expectedOne.generatedIds)
        #expect(rb.generatedIds == expectedTwo.generatedIds)
        // Whichever ended last left its entry; a third call reuses from it.
        let third = try await model.generate(two, options: options, prefixCache: cache)
        #expect(third.reusedPromptTokens > 0)
        #expect(third.generatedIds == expectedTwo.generatedIds)
    }

    @Test func cancelledCallKeepsWhatItComputed() async throws {
        let cache = PrefixCache()
        let two = try secondStep()
        let n = two.tokenIds.count
        // Cancelled from its first piece of text: after the prefill, during decoding.
        let handle = TaskHandle()
        let model = self.model
        let task = Task {
            try await model.generate(
                two, options: GenerationOptions(maxTokens: 200, stopTokenIds: []),
                prefixCache: cache
            ) { _ in handle.cancel() }
        }
        handle.set(task)
        await #expect(throws: CancellationError.self) { try await task.value }
        // The prompt (and any token fed back before the cancellation) is kept.
        #expect(cache.heldTokens >= n)
        let after = try await model.generate(two, options: options, prefixCache: cache)
        #expect(after.reusedPromptTokens == n - 1)
        expectSame(after, try await model.generate(two, options: options))
    }

    @Test func truncatingRepairsAPassCancelledBetweenLayers() throws {
        #expect(model.config.text.numLayers >= 2)
        let p = try model.prompt([.user("hello there")], images: [])
        let (pos, _) = try model.positions(for: p)
        let x = try model.inputEmbeddings(p)
        var cache = model.emptyCache()
        _ = try model.text.forward(x, rows: p.tokenIds.count, positions: pos, cache: &cache)
        let keys = cache.keys, values = cache.values
        // Cancelled before the second layer: the first has appended its rows, the count has not moved.
        var checks = 0
        #expect(throws: CancellationError.self) {
            _ = try model.text.forward(
                x, rows: p.tokenIds.count, positions: pos, cache: &cache,
                isCancelled: {
                    checks += 1; return checks > 1
                })
        }
        #expect(cache.keys[0].count > keys[0].count)
        cache.truncate(to: cache.count)
        #expect(cache.keys == keys && cache.values == values)
    }

    @Test func truncatingTheKVCacheKeepsTheFirstTokens() throws {
        var cache = model.emptyCache()
        let p = try model.prompt([.user("hello there")], images: [])
        let (pos, _) = try model.positions(for: p)
        _ = try model.text.forward(try model.inputEmbeddings(p), rows: p.tokenIds.count, positions: pos, cache: &cache)
        let width = model.config.text.numKVHeads * model.config.text.headDim
        let keys0 = cache.keys[0]
        cache.truncate(to: 3)
        #expect(cache.count == 3)
        #expect(cache.keys.allSatisfy { $0.count == 3 * width } && cache.values.allSatisfy { $0.count == 3 * width })
        #expect(cache.keys[0] == Array(keys0.prefix(3 * width)))
    }
}

/// Lets generation cancel its own task from `onText`, which may run before the handle is set.
final class TaskHandle: @unchecked Sendable {
    // `lock` guards `task`.
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var task: Task<GenerationResult, Error>?

    func set(_ task: Task<GenerationResult, Error>) {
        lock.lock()
        self.task = task
        lock.unlock()
        ready.signal()
    }

    func cancel() {
        lock.lock()
        var current = task
        lock.unlock()
        if current == nil {
            _ = ready.wait(timeout: .now() + 60)
            lock.lock()
            current = task
            lock.unlock()
            ready.signal()
        }
        current?.cancel()
    }
}
