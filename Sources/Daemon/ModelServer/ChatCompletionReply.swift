import Basics
import Inference

/// The JSON of the model server's answers, in OpenAI's shapes: the model list, a whole
/// completion, and the chunks of a streamed one.
struct ChatCompletionReply: Sendable {
    /// `chatcmpl-…`, the same in every chunk of one completion.
    let id: String
    let model: String
    let created: Int

    static func modelList(_ engine: ModelEngine) -> JSON {
        .object(["object": .string("list"), "data": .array([model(engine)])])
    }

    static func model(_ engine: ModelEngine) -> JSON {
        .object([
            "id": .string(engine.id), "object": .string("model"), "created": .number(Double(engine.created)),
            "owned_by": .string("tether"), "max_model_len": .number(Double(engine.contextLength))
        ])
    }

    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop, .stopSequence: "stop"
        case .maxTokens, .contextFull: "length"
        }
    }

    static func usage(_ result: GenerationResult) -> JSON {
        let prompt = result.promptIds.count, completion = result.generatedIds.count
        return .object([
            "prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(completion)),
            "total_tokens": .number(Double(prompt + completion)),
            "prompt_tokens_details": .object(["cached_tokens": .number(Double(result.reusedPromptTokens))])
        ])
    }

    /// A whole completion (`"stream": false`).
    func completion(_ result: GenerationResult) -> JSON {
        .object([
            "id": .string(id), "object": .string("chat.completion"), "created": .number(Double(created)), "model": .string(model),
            "choices": .array([
                .object([
                    "index": .number(0), "message": .object(["role": .string("assistant"), "content": .string(result.text)]),
                    "finish_reason": .string(Self.finishReason(result.finishReason)), "logprobs": .null
                ])
            ]),
            "usage": Self.usage(result)
        ])
    }

    /// One chunk of a streamed completion: a delta, or the finish reason, or (with no choice)
    /// the usage.
    func chunk(delta: JSON? = nil, finishReason: String? = nil, usage: JSON? = nil) -> JSON {
        var choices: [JSON] = []
        if delta != nil || finishReason != nil {
            choices.append(
                .object([
                    "index": .number(0), "delta": delta ?? .object([:]),
                    "finish_reason": finishReason.map(JSON.string) ?? .null, "logprobs": .null
                ]))
        }
        var object: [String: JSON] = [
            "id": .string(id), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
            "model": .string(model), "choices": .array(choices)
        ]
        if let usage { object["usage"] = usage }
        return .object(object)
    }
}
