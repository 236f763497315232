import Agent
import Foundation

/// The model backend a job asked for. An HTTP backend must be shut down after the job.
enum BackendFactory {
    struct Made {
        var backend: any ModelBackend
        var openAI: OpenAIBackend?
        var counter: any TokenCounter
    }

    static func make(_ spec: RunJobSpec.Backend) throws -> Made {
        if let replies = spec.scripted {
            return Made(backend: ScriptedBackend(replies: replies), openAI: nil, counter: EstimatedTokenCounter())
        }
        if let dir = spec.modelDir {
            let backend: InProcessBackend
            do { backend = try InProcessBackend(directory: dir) } catch {
                throw ModelBackendError("cannot load the model in \(dir): \(error)")
            }
            return Made(backend: backend, openAI: nil, counter: TokenizerCounter(tokenizer: backend.model.tokenizer))
        }
        if let endpoint = spec.endpoint {
            let key = spec.apiKey ?? ProcessInfo.processInfo.environment["TETHER_API_KEY"]
            let backend = OpenAIBackend(configuration: .init(baseURL: endpoint, model: spec.model ?? "autoglm-phone-9b", apiKey: key))
            return Made(backend: backend, openAI: backend, counter: EstimatedTokenCounter())
        }
        throw ModelBackendError("the job names no backend")
    }
}
