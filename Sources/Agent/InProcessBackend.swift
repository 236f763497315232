import Trajectory
import Foundation
import Imaging
import Inference
import Basics

/// The model run by Tether itself on the CPU (the `Inference` engine), from a checkpoint
/// directory.
///
/// Each call renders the whole transcript, but only the part that changed since the previous
/// call is run: the backend keeps one `PrefixCache`, so the KV cache of the unchanged prefix —
/// the system prompt and the old turns, up to where the previous step's screenshot was — is
/// reused and the prefill covers the newest turns only (`ModelReply.reusedPromptTokens` says how
/// many tokens were reused). Requests made at the same time do not wait for each other; one of
/// them runs without reuse.
public final class InProcessBackend: ModelBackend, Sendable {
    public let model: GLM4VModel
    /// The KV cache of the previous request; `prefixCache.reset()` frees it (about 80 KiB per
    /// token for the 9B model).
    public let prefixCache = PrefixCache()

    public var description: String { "in-process \(model.directory)" }

    public var contextLength: Int? { model.config.text.maxPositionEmbeddings }

    public init(model: GLM4VModel) {
        self.model = model
    }

    /// Loads the checkpoint; `maxPixels` replaces its image budget (pixels per screen).
    public convenience init(directory: String, maxPixels: Int? = nil, compute: ComputeOptions = ComputeOptions()) throws {
        self.init(model: try GLM4VModel(directory: directory, maxPixels: maxPixels, compute: compute))
    }

    /// The engine's prompt for a request: the same chat layout the served model sees.
    public func prompt(for request: ModelRequest) throws -> Prompt {
        var messages: [ChatMessage] = []
        var images: [Image] = []
        for m in request.messages {
            switch m.role {
            case .system: messages.append(.system(m.text))
            case .assistant: messages.append(.assistant(m.text))
            case .user:
                if let image = m.image {
                    images.append(image)
                    messages.append(.user(m.text, images: 1))
                } else {
                    messages.append(.user(m.text))
                }
            }
        }
        return try model.prompt(messages, images: images)
    }

    public func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
        let started = ContinuousClock.now
        let prompt = try prompt(for: request)
        let options = GenerationOptions(agent: request.sampling)
        let first = Locked<Double?>(nil)
        let result = try await model.generate(prompt, options: options, prefixCache: prefixCache) { piece in
            first.withLock { if $0 == nil { $0 = (ContinuousClock.now - started) / .seconds(1) } }
            onText?(piece)
        }
        let total = (ContinuousClock.now - started) / .seconds(1)
        return ModelReply(
            text: result.agentText, timings: ModelTimings(firstText: first.value, total: total),
            promptTokens: result.promptIds.count, completionTokens: result.generatedIds.count,
            reusedPromptTokens: result.reusedPromptTokens)
    }
}


/// Token counts from the checkpoint's own tokenizer, for trimming history exactly.
public struct TokenizerCounter: TokenCounter {
    public let tokenizer: Tokenizer
    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }
    public func count(_ text: String) -> Int { tokenizer.encode(text).count }
}

extension GenerationOptions {
    /// The end of an AutoGLM reply: nothing the agent reads follows it.
    public static let answerEnd = "</answer>"

    /// An agent request's options: its sampling, and a stop once `</answer>` is complete — the
    /// end token the model would write next costs one more decoder pass.
    public init(agent s: SamplingOptions) {
        self.init(
            maxTokens: s.maxTokens, temperature: Float(s.temperature), topP: Float(s.topP),
            frequencyPenalty: Float(s.frequencyPenalty), seed: s.seed ?? 0, stopSequences: [Self.answerEnd])
    }
}

extension GenerationResult {
    /// The reply as the model wrote it: a stop at `</answer>` keeps the tag (stop sequences are
    /// otherwise left out of the text).
    public var agentText: String {
        finishReason == .stopSequence(GenerationOptions.answerEnd) ? text + GenerationOptions.answerEnd : text
    }
}
