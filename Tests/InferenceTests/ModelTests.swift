import Basics
import Foundation
import Testing
@testable import Inference

@Suite struct ModelTests {
    let model = Fixture.model
    let reference = Fixture.reference

    func exactImage() throws -> ProcessedImage { try model.imageProcessor.process(Fixture.rgbaImage("exact")) }

    func prompt() throws -> Prompt {
        try model.prompt(
            [.system("SYS"), .user("Open Chrome\n\n{\"current_app\": \"System Home\"}", images: 1)],
            images: [Fixture.rgbaImage("exact")])
    }

    @Test func visionEmbeddingMatches() throws {
        let x = model.vision.embed(try exactImage())
        #expect(relativeError(x, Fixture.floats("vision.after_pos_embed")) < 1e-4)
    }

    @Test func visionTowerMatches() throws {
        let out = try model.imageFeatures(try exactImage())
        #expect(relativeError(out, Fixture.floats("vision.out")) < 1e-4)
        let image2 = try model.imageProcessor.process(Fixture.rgbaImage("downscale"))
        let out2 = try model.imageFeatures(image2)
        #expect(relativeError(out2, Fixture.floats("vision.downscale.out")) < 1e-4)
    }

    @Test func promptIdsMatch() throws {
        let p = try prompt()
        #expect(
            ChatFormat.render([.system("SYS"), .user("Open Chrome\n\n{\"current_app\": \"System Home\"}", images: 1)])
                == reference.prompt_text)
        #expect(p.tokenIds == reference.prompt_ids)
    }

    @Test func positionIdsMatch() throws {
        let (pos, delta) = try model.positions(for: try prompt())
        #expect(pos.flatMap { $0 } == Fixture.ints("prompt.position_ids"))
        #expect(delta == Fixture.ints("prompt.rope_delta")[0])
    }

    @Test func logitsMatch() throws {
        let logits = try model.promptLogits(try prompt())
        #expect(relativeError(logits, Fixture.floats("logits")) < 1e-4)
    }

    @Test func twoImagesPositionsAndLogitsMatch() throws {
        let messages: [ChatMessage] = [
            .system("SYS"), .user("Open Chrome", images: 1),
            .assistant("<think>T1</think><answer>do(action=\"Launch\", app=\"Chrome\")</answer>"),
            .user("** Screen Info **", images: 1)
        ]
        #expect(ChatFormat.render(messages) == reference.two_images_text)
        let p = try model.prompt(messages, images: [Fixture.rgbaImage("exact"), Fixture.rgbaImage("downscale")])
        #expect(p.tokenIds == reference.two_images_prompt_ids)
        let (pos, delta) = try model.positions(for: p)
        #expect(pos.flatMap { $0 } == Fixture.ints("two_images.position_ids"))
        #expect(delta == Fixture.ints("two_images.rope_delta")[0])
        let logits = try model.promptLogits(p)
        let tail = Array(logits.suffix(8 * reference.vocab_size))
        #expect(relativeError(tail, Fixture.floats("two_images.logits_tail")) < 1e-4)
    }

    @Test func greedyTokensMatch() async throws {
        let r = try await model.generate(try prompt(), options: GenerationOptions(maxTokens: 10, stopTokenIds: []))
        #expect(r.generatedIds == reference.generated_ids)
        #expect(r.finishReason == .maxTokens)
        #expect(r.firstTop5.map(\.id) == reference.top5.ids)
        #expect(relativeError(r.firstTop5.map(\.logit), reference.top5.logits) < 1e-4)
        #expect(r.promptIds == reference.prompt_ids)
    }

    @Test func frequencyPenaltyMatchesTheOpenAIRule() async throws {
        let r = try await model.generate(
            try prompt(),
            options: GenerationOptions(
                maxTokens: 10, frequencyPenalty: reference.frequency_penalty, stopTokenIds: []))
        #expect(r.generatedIds == reference.frequency_penalty_generated_ids)
        #expect(r.generatedIds != reference.generated_ids)
    }

    @Test func bf16ShardedCheckpointGeneratesTheSame() async throws {
        let bf16 = try GLM4VModel(directory: Fixture.tinyBF16)
        let p = try prompt()
        let r = try await bf16.generate(p, options: GenerationOptions(maxTokens: 10, stopTokenIds: []))
        #expect(r.generatedIds == reference.bf16_generated_ids)
        let logits = try bf16.promptLogits(p)
        let last = Array(logits.suffix(reference.vocab_size))
        #expect(relativeError(last, Fixture.floats("bf16.logits_last")) < 1e-4)
    }

    @Test func stopsOnStopTokenAndStreamsText() async throws {
        let stop = reference.generated_ids[3]
        let pieces = PieceCollector()
        let r = try await model.generate(try prompt(), options: GenerationOptions(maxTokens: 10, stopTokenIds: [stop])) {
            pieces.append($0)
        }
        #expect(r.generatedIds == Array(reference.generated_ids.prefix(4)))
        #expect(r.finishReason == .stop(tokenId: stop))
        #expect(pieces.joined == r.text)
        #expect(r.text == model.tokenizer.decode(Array(reference.generated_ids.prefix(4)), skipSpecialTokens: true))
    }

    @Test func streamYieldsTheWholeText() async throws {
        var text = ""
        for try await piece in model.stream(try prompt(), options: GenerationOptions(maxTokens: 10, stopTokenIds: [])) {
            text += piece
        }
        #expect(text == model.tokenizer.decode(reference.generated_ids, skipSpecialTokens: true))
    }

    @Test func samplingIsSeededAndValid() async throws {
        let options = GenerationOptions(maxTokens: 8, temperature: 0.8, topP: 0.9, stopTokenIds: [], seed: 42)
        let a = try await model.generate(try prompt(), options: options)
        let b = try await model.generate(try prompt(), options: options)
        #expect(a.generatedIds == b.generatedIds)
        #expect(a.generatedIds.allSatisfy { $0 >= 0 && $0 < reference.vocab_size })
        // A tiny nucleus keeps only the top token: greedy.
        let g = try await model.generate(
            try prompt(),
            options: GenerationOptions(
                maxTokens: 10, temperature: 1, topP: 1e-6, stopTokenIds: [], seed: 7))
        #expect(g.generatedIds == reference.generated_ids)
    }

    @Test func cancellationStopsGeneration() async throws {
        let p = try prompt()
        let task = Task { try await model.generate(p, options: GenerationOptions(maxTokens: 200, stopTokenIds: [])) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func generationComputesOnItsOwnThreads() async throws {
        // Each generation blocks in its first onText until a task on the cooperative pool has
        // run. Computing on pool threads, as many generations as the pool has threads would hold
        // all of them and that task could not run before the waits time out.
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let gate = Gate()
        let p = try prompt()
        let model = self.model
        let runs = (0..<width).map { _ in
            Task {
                let once = Gate.Once()
                return try await model.generate(p, options: GenerationOptions(maxTokens: 3, stopTokenIds: [])) { _ in
                    guard once.first() else { return }
                    gate.arrive()
                }
            }
        }
        while gate.arrived < width { try await Task.sleep(nanoseconds: 1_000_000) }
        gate.open()
        for run in runs { #expect(try await run.value.generatedIds == Array(reference.generated_ids.prefix(3))) }
        #expect(!gate.timedOut)
    }

    @Test func promptLongerThanContextIsAnError() async throws {
        let long = String(repeating: "weather ", count: 300)
        let p = try model.prompt([.user(long)], images: [])
        await #expect(throws: InferenceError.promptTooLong(tokens: p.tokenIds.count, limit: 256)) {
            try await model.generate(p)
        }
    }

    @Test func generationStopsWhenTheContextIsFull() async throws {
        let limit = model.config.text.maxPositionEmbeddings
        var text = "weather"
        var p = try model.prompt([.user(text)], images: [])
        while p.tokenIds.count < limit - 5 {
            text += " weather"
            p = try model.prompt([.user(text)], images: [])
        }
        let r = try await model.generate(p, options: GenerationOptions(maxTokens: 100, stopTokenIds: []))
        #expect(r.finishReason == .contextFull)
        #expect(p.tokenIds.count + r.generatedIds.count == limit)
    }

    @Test func imageCountMustMatchPlaceholders() throws {
        #expect(throws: InferenceError.self) { try model.prompt([.user("hi", images: 1)], images: []) }
        #expect(throws: InferenceError.self) {
            try model.prompt([.user("hi")], images: [Fixture.rgbaImage("exact")])
        }
    }
}

final class PieceCollector: Sendable {
    private let pieces = Locked<[String]>([])
    func append(_ s: String) { pieces.withLock { $0.append(s) } }
    var joined: String { pieces.value.joined() }
}

/// Holds callers on their threads until `open()`; counts them and notes whether a wait ran out.
final class Gate: @unchecked Sendable {
    // `lock` guards the two vars.
    private let lock = NSLock()
    private let opened = DispatchSemaphore(value: 0)
    private var count = 0
    private var expired = false

    func arrive() {
        lock.lock()
        count += 1
        lock.unlock()
        // Generous: only a starved pool comes near it.
        if opened.wait(timeout: .now() + 60) == .timedOut {
            lock.lock()
            expired = true
            lock.unlock()
        }
        opened.signal()
    }

    func open() { opened.signal() }

    var arrived: Int { lock.lock(); defer { lock.unlock() }; return count }
    var timedOut: Bool { lock.lock(); defer { lock.unlock() }; return expired }

    /// True for the first call only.
    final class Once: Sendable {
        private let done = Locked(false)
        func first() -> Bool { !done.exchange(true) }
    }
}
