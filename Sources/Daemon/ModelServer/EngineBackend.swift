import Agent
import Basics
import Foundation
import Inference

/// A job's model backend on the daemon's loaded engine: the job's requests take their turn in
/// the engine's queue (waiting however long it is, never refused) and share its prefix cache,
/// instead of loading a second copy of the checkpoint.
public struct EngineBackend: ModelBackend {
    public let engine: ModelEngine

    public init(engine: ModelEngine) {
        self.engine = engine
    }

    public var description: String { "in-process \(engine.model.directory) (the daemon's shared engine)" }

    public var contextLength: Int? { engine.contextLength }

    /// Token counts from the checkpoint's tokenizer.
    public var counter: TokenizerCounter { TokenizerCounter(tokenizer: engine.model.tokenizer) }

    public func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
        let started = ContinuousClock.now
        let prompt = try InProcessBackend(model: engine.model).prompt(for: request)
        let options = GenerationOptions(agent: request.sampling)
        let first = Locked<Double?>(nil)
        let ticket = try engine.admit(bounded: false)
        let result = try await engine.generate(prompt, options: options, ticket: ticket) { piece in
            first.withLock { if $0 == nil { $0 = (ContinuousClock.now - started) / .seconds(1) } }
            onText?(piece)
        }
        return ModelReply(
            text: result.agentText,
            timings: ModelTimings(firstText: first.value, total: (ContinuousClock.now - started) / .seconds(1)),
            promptTokens: result.promptIds.count, completionTokens: result.generatedIds.count,
            reusedPromptTokens: result.reusedPromptTokens)
    }
}
