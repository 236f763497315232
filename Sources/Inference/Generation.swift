import Foundation
import Basics

/// How to pick tokens.
public struct GenerationOptions: Sendable {
    /// Most tokens to generate (the stop token included).
    public var maxTokens: Int = 256
    /// 0 means greedy (argmax).
    public var temperature: Float = 0
    /// Nucleus sampling mass; 1 keeps every token. Ignored when greedy.
    public var topP: Float = 1
    /// The OpenAI/vLLM rule: each token's logit is lowered by `frequencyPenalty × count`, the
    /// count being how often it occurs in the generated text so far (not the prompt).
    public var frequencyPenalty: Float = 0
    /// Tokens that end generation; nil means the checkpoint's eos_token_id list.
    public var stopTokenIds: [Int]?
    /// Seed for sampling; generation is deterministic for a given seed.
    public var seed: UInt64 = 0
    /// Texts that end generation once the generated text contains one (OpenAI's `stop`); the
    /// result's text ends before it.
    public var stopSequences: [String] = []
    /// Greedy decoding only: tokens guessed by prompt lookup (`PromptLookup`) and checked in the
    /// same pass as the newest token, 0–7 (0 turns it off). The output is the one plain decoding
    /// gives; only the number of passes changes.
    public var draftTokens: Int = 7

    public init(
        maxTokens: Int = 256, temperature: Float = 0, topP: Float = 1, frequencyPenalty: Float = 0,
        stopTokenIds: [Int]? = nil, seed: UInt64 = 0, stopSequences: [String] = [], draftTokens: Int = 7
    ) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.frequencyPenalty = frequencyPenalty
        self.stopTokenIds = stopTokenIds
        self.seed = seed
        self.stopSequences = stopSequences.filter { !$0.isEmpty }
        self.draftTokens = min(max(draftTokens, 0), 7)
    }
}

public enum FinishReason: Sendable, Equatable {
    /// A stop token was produced (it is the last generated id).
    case stop(tokenId: Int)
    /// `maxTokens` reached.
    case maxTokens
    /// The context window is full.
    case contextFull
    /// The generated text came to one of `GenerationOptions.stopSequences` (left out of the text).
    case stopSequence(String)
}

public struct GenerationResult: Sendable {
    /// The prompt after image-token expansion.
    public let promptIds: [Int]
    public let generatedIds: [Int]
    /// Decoded generated text; a special stop token is left out, special tokens are skipped.
    public let text: String
    public let finishReason: FinishReason
    /// The five highest logits at the first generated position (before any penalty).
    public let firstTop5: [(id: Int, logit: Float)]
    /// Leading prompt tokens whose keys and values came from a `PrefixCache` instead of being
    /// prefilled (0 without one).
    public let reusedPromptTokens: Int
    /// Wall-clock seconds spent in each phase.
    public let timings: GenerationTimings
}

public struct GenerationTimings: Sendable {
    /// Vision tower over the images not served by a prefix cache (with embedding lookup).
    public var vision: Double = 0
    /// Decoder over the prompt tokens not served by a prefix cache.
    public var prefill: Double = 0
    /// Prompt tokens run through the decoder: the prompt minus `reusedPromptTokens`.
    public var prefilledTokens: Int = 0
    /// Every decode step after the first token.
    public var decode: Double = 0
    public var decodedTokens: Int = 0
    /// Decoder passes after the first token (each runs the newest token and its drafts).
    public var decodePasses: Int = 0
    /// Prompt-lookup guesses checked, and those the model agreed with (each saved a pass).
    public var draftedTokens: Int = 0
    public var acceptedDraftTokens: Int = 0
    /// Each vision block's seconds, and each decoder layer's over the prompt, in order (for
    /// benchmarks: one block or layer timed alone, without the stages around it).
    public var visionBlocks: [Double] = []
    public var prefillLayers: [Double] = []
    /// Each decoder layer's seconds summed over the decode passes.
    public var decodeLayers: [Double] = []
}

enum Sampler {
    static func applyFrequencyPenalty(_ logits: inout [Float], counts: [Int: Int], penalty: Float) {
        guard penalty != 0 else { return }
        for (id, c) in counts where id < logits.count { logits[id] -= penalty * Float(c) }
    }

    static func argmax(_ x: [Float]) -> Int {
        var best = 0
        for i in 1..<x.count where x[i] > x[best] { best = i }
        return best
    }

    static func sample(_ logits: [Float], temperature: Float, topP: Float, rng: inout SplitMix64) -> Int {
        guard temperature > 0 else { return argmax(logits) }
        let scaled = logits.map { $0 / temperature }
        let mx = scaled.max() ?? 0
        var probs = scaled.map { expf($0 - mx) }
        let sum = probs.reduce(0, +)
        for i in probs.indices { probs[i] /= sum }
        var order = Array(probs.indices)
        order.sort { probs[$0] > probs[$1] || (probs[$0] == probs[$1] && $0 < $1) }
        var kept: [Int] = []
        var mass: Float = 0
        for i in order {
            kept.append(i)
            mass += probs[i]
            if mass >= topP { break }
        }
        let r = Float(Double(rng.next() >> 11) / Double(1 << 53)) * mass
        var acc: Float = 0
        for i in kept {
            acc += probs[i]
            if r < acc { return i }
        }
        return kept.last ?? order[0]
    }
}

extension GLM4VModel {
    /// Generates a reply to `prompt`. `onText` receives the decoded text as it grows (only
    /// complete UTF-8; a special stop token is not shown). Honours task cancellation between
    /// tokens and between layers by throwing `CancellationError`.
    ///
    /// With `prefixCache`, the keys and values of the longest prefix this prompt shares with the
    /// previous call on that cache are reused and only the rest is prefilled (see `PrefixCache`);
    /// the tokens produced are the same as without it.
    ///
    /// The work runs on a thread of its own, not on the caller's cooperative thread, so other
    /// tasks keep running meanwhile; `onText` is called on that thread.
    public func generate(
        _ prompt: Prompt, options: GenerationOptions = GenerationOptions(),
        prefixCache: PrefixCache? = nil,
        onText: (@Sendable (String) -> Void)? = nil
    ) async throws -> GenerationResult {
        guard options.maxTokens > 0 else { throw InferenceError.invalidRequest("max tokens must be at least 1") }
        guard options.temperature >= 0, options.temperature.isFinite else {
            throw InferenceError.invalidRequest("temperature must be ≥ 0")
        }
        guard options.topP > 0, options.topP <= 1 else { throw InferenceError.invalidRequest("top_p must be in (0, 1]") }
        try checkLength(prompt.tokenIds.count)
        try Task.checkCancellation()
        return try await ComputeThread.run { isCancelled in
            try self.generateOnThisThread(
                prompt, options: options, prefixCache: prefixCache, onText: onText,
                isCancelled: isCancelled)
        }
    }

    /// `generate`'s work, synchronous; `isCancelled` is polled between layers and tokens.
    private func generateOnThisThread(
        _ prompt: Prompt, options: GenerationOptions, prefixCache: PrefixCache?,
        onText: (@Sendable (String) -> Void)?,
        isCancelled: () -> Bool
    ) throws -> GenerationResult {
        let n = prompt.tokenIds.count
        let (pos, delta) = try positions(for: prompt)
        let images = Array(zip(try imageRunStarts(prompt), prompt.images)).map { (start: $0.0, image: $0.1) }

        var cache = emptyCache()
        var reused = 0
        var previous: PrefixCache.Entry?
        var epoch = 0
        if let prefixCache {
            (previous, epoch) = prefixCache.checkout { entry in
                entry.model === self ? entry.reusableLength(tokenIds: prompt.tokenIds, positions: pos, images: images) : -1
            }
        }
        if var entry = previous.take() {
            // At least the last prompt token is run again: its logits pick the first new token.
            reused = min(entry.reusableLength(tokenIds: prompt.tokenIds, positions: pos, images: images), n - 1)
            // Swapped, not copied, so the cache's arrays stay uniquely owned and grow in place.
            swap(&cache, &entry.kv)
            cache.truncate(to: reused)
        }
        var generated: [Int] = []
        do {
            let result = try prefillAndDecode(
                prompt, positions: pos, ropeDelta: delta, cache: &cache, reused: reused,
                generated: &generated, options: options, onText: onText,
                isCancelled: isCancelled)
            prefixCache?.put(
                cacheEntry(
                    prompt, positions: pos, ropeDelta: delta, images: images,
                    generated: generated, cache: cache), epoch: epoch)
            return result
        } catch {
            if let prefixCache {
                // Keep what is still valid: the tokens whose keys and values every layer holds.
                cache.truncate(to: cache.count)
                prefixCache.put(
                    cacheEntry(
                        prompt, positions: pos, ropeDelta: delta, images: images,
                        generated: generated, cache: cache), epoch: epoch)
            }
            throw error
        }
    }

    /// The prefix-cache entry for a cache holding the prompt and then the generated tokens that
    /// were fed back (all but the last, whose keys and values were never computed).
    private func cacheEntry(
        _ prompt: Prompt, positions pos: [[Int]], ropeDelta delta: Int,
        images: [(start: Int, image: ProcessedImage)], generated: [Int],
        cache: KVCache
    ) -> PrefixCache.Entry {
        let n = prompt.tokenIds.count
        let held = cache.count
        let ids = Array((prompt.tokenIds + generated).prefix(held))
        let positions = pos.map { axis in
            Array((axis + (n..<max(n, held)).map { $0 + delta }).prefix(held))
        }
        return PrefixCache.Entry(
            model: self, tokenIds: ids, positions: positions,
            images: images.filter { $0.start < held }, kv: cache)
    }

    /// Prefills the prompt from token `reused` on (the cache holding the first `reused`), then
    /// decodes. `generated` grows as tokens are picked, so a caller sees them even on a throw.
    private func prefillAndDecode(
        _ prompt: Prompt, positions pos: [[Int]], ropeDelta delta: Int, cache: inout KVCache,
        reused: Int, generated: inout [Int], options: GenerationOptions,
        onText: (@Sendable (String) -> Void)?,
        isCancelled cancelled: () -> Bool
    ) throws -> GenerationResult {
        let n = prompt.tokenIds.count
        let limit = config.text.maxPositionEmbeddings
        let stops = Set(options.stopTokenIds ?? config.text.eosTokenIds)

        var timings = GenerationTimings()
        timings.prefilledTokens = n - reused
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            defer { clock = now }
            return (now - clock) / .seconds(1)
        }
        var x = try inputEmbeddings(prompt, from: reused, isCancelled: cancelled) { timings.visionBlocks.append($0) }
        timings.vision = lap()
        if cancelled() { throw CancellationError() }
        let rest = pos.map { Array($0[reused...]) }
        var hidden = try text.forward(x, rows: n - reused, positions: rest, cache: &cache, isCancelled: cancelled) {
            timings.prefillLayers.append($0)
        }
        var logits = text.logits(hidden: hidden, rows: [n - reused - 1])
        timings.prefill = lap()
        logger.debug("prefilled", metadata: ["prompt_tokens": "\(n)", "reused_tokens": "\(reused)"])

        var top5: [(Int, Float)] = []
        do {
            let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            top5 = order.prefix(5).map { ($0, logits[$0]) }
        }

        var rng = SplitMix64(seed: options.seed)
        var counts: [Int: Int] = [:]
        var emitted = ""
        var finish = FinishReason.maxTokens
        /// Takes a token as generated; the reason to stop there, if any.
        func take(_ token: Int) -> FinishReason? {
            generated.append(token)
            counts[token, default: 0] += 1
            let isStop = stops.contains(token)
            if let onText {
                let visible = visibleText(generated, dropLastSpecialStop: isStop)
                if !visible.hasSuffix("\u{FFFD}"), visible.count > emitted.count, visible.hasPrefix(emitted) {
                    onText(String(visible.dropFirst(emitted.count)))
                    emitted = visible
                }
            }
            if isStop { return .stop(tokenId: token) }
            if let found = firstStopSequence(in: generated, options.stopSequences) { return .stopSequence(found) }
            if generated.count >= options.maxTokens { return .maxTokens }
            if n + generated.count >= limit { return .contextFull }
            return nil
        }
        let drafting = options.temperature == 0 && options.draftTokens > 0
        decoding: while true {
            if cancelled() { throw CancellationError() }
            Sampler.applyFrequencyPenalty(&logits, counts: counts, penalty: options.frequencyPenalty)
            let next = Sampler.sample(logits, temperature: options.temperature, topP: options.topP, rng: &rng)
            if let reason = take(next) { finish = reason; break }
            // Decode step: the new token sits at absolute index total-1, its drafts after it. The
            // cache holds every token before `next`.
            let total = n + generated.count
            let room = min(options.maxTokens - generated.count, limit - total)
            let draft = drafting ? PromptLookup.draft(prompt.tokenIds + generated, limit: min(options.draftTokens, room)) : []
            let fed = [next] + draft
            let p = (0..<fed.count).map { total - 1 + delta + $0 }
            x = text.embed(fed)
            var layer = 0
            hidden = try text.forward(x, rows: fed.count, positions: [p, p, p], cache: &cache, isCancelled: cancelled) {
                if timings.decodeLayers.count <= layer { timings.decodeLayers.append(0) }
                timings.decodeLayers[layer] += $0
                layer += 1
            }
            let rows = text.logits(hidden: hidden, rows: Array(0..<fed.count))
            let vocab = rows.count / fed.count
            timings.decodePasses += 1
            timings.draftedTokens += draft.count
            // Row i is what follows fed[i]: a draft stands while it is what the model picks there.
            var kept = 0
            var stop: FinishReason?
            while kept < draft.count {
                var row = Array(rows[kept * vocab..<(kept + 1) * vocab])
                Sampler.applyFrequencyPenalty(&row, counts: counts, penalty: options.frequencyPenalty)
                guard Sampler.argmax(row) == draft[kept] else { break }
                kept += 1
                stop = take(draft[kept - 1])
                if stop != nil { break }
            }
            timings.acceptedDraftTokens += kept
            timings.decodedTokens += 1 + kept
            // Keys and values of the drafts that did not stand go; so do those of a last token,
            // as plain decoding never feeds it.
            cache.truncate(to: min(cache.count, n + generated.count - (stop == nil ? 0 : 1)))
            logits = Array(rows[kept * vocab..<(kept + 1) * vocab])
            timings.decode += lap()
            if let stop {
                finish = stop
                break decoding
            }
        }
        logger.debug(
            "decoded",
            metadata: [
                "tokens": "\(generated.count)", "passes": "\(timings.decodePasses)", "drafted": "\(timings.draftedTokens)",
                "accepted": "\(timings.acceptedDraftTokens)", "decode_s": "\(timings.decode)"
            ])
        let isStopEnd: Bool = { if case .stop = finish { return true } else { return false } }()
        var finalText = visibleText(generated, dropLastSpecialStop: isStopEnd)
        if case .stopSequence(let found) = finish, let range = finalText.range(of: found) {
            finalText = String(finalText[..<range.lowerBound])
        }
        if let onText, finalText.count > emitted.count, finalText.hasPrefix(emitted) {
            onText(String(finalText.dropFirst(emitted.count)))
        }
        return GenerationResult(
            promptIds: prompt.tokenIds, generatedIds: generated, text: finalText,
            finishReason: finish, firstTop5: top5.map { (id: $0.0, logit: $0.1) },
            reusedPromptTokens: reused, timings: timings)
    }

    /// The generated text as a stream of pieces; the stream ends when generation does and
    /// cancelling the consuming task cancels generation.
    public func stream(
        _ prompt: Prompt, options: GenerationOptions = GenerationOptions(),
        prefixCache: PrefixCache? = nil
    ) -> AsyncThrowingStream<String, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    _ = try await self.generate(prompt, options: options, prefixCache: prefixCache) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The stop sequence that occurs first in the text of `ids`, if any.
    func firstStopSequence(in ids: [Int], _ sequences: [String]) -> String? {
        guard !sequences.isEmpty else { return nil }
        let text = visibleText(ids, dropLastSpecialStop: false)
        return sequences.compactMap { s in text.range(of: s).map { (s, $0.lowerBound) } }.min { $0.1 < $1.1 }?.0
    }

    func visibleText(_ ids: [Int], dropLastSpecialStop: Bool) -> String {
        var ids = ids
        if dropLastSpecialStop, let last = ids.last, tokenizer.addedTokens.contains(where: { $0.id == last && $0.special }) {
            ids.removeLast()
        }
        return tokenizer.decode(ids, skipSpecialTokens: true)
    }
}
