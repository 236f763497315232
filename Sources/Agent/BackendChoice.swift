import Foundation
import Inference

/// Which model decides, as a user names it: one place that turns that choice into a backend and
/// the token counter that trims history for it, for `tether run`, the daemon's jobs and every
/// other runner.
public enum BackendChoice: Sendable, Equatable {
    /// An OpenAI-compatible server: base URL, model name, key (nil: `$TETHER_API_KEY`, if set).
    case openAI(endpoint: String, model: String, apiKey: String?)
    /// A checkpoint directory run in-process; `maxPixels` replaces the checkpoint's image budget
    /// (pixels per screen after resizing), nil keeps it; `compute` says how matrices are multiplied.
    case inProcess(directory: String, maxPixels: Int? = nil, compute: ComputeOptions = ComputeOptions())
    /// Prepared replies, in order (no model): for tests and demonstrations.
    case scripted([String])
    /// A daemon's pool of OpenAI-compatible servers for one model name (`tetherd --model-endpoint`),
    /// and the key they want (nil: `$TETHER_API_KEY`, if set).
    case pool(EndpointPool, apiKey: String?)

    /// The model name a server is asked for when none is given.
    public static let defaultModelName = "autoglm-phone-9b"

    /// A backend made from a choice, and what it needs at the end.
    public struct Made: Sendable {
        public var backend: any ModelBackend
        /// Counts tokens for the history budget: the model's own tokenizer when at hand, else
        /// an estimate that errs on the long side.
        public var counter: any TokenCounter
        let openAI: OpenAIBackend?

        /// A backend made elsewhere (a shared engine), with its counter; nothing to shut down.
        public init(backend: any ModelBackend, counter: any TokenCounter) {
            self.init(backend: backend, counter: counter, openAI: nil)
        }

        init(backend: any ModelBackend, counter: any TokenCounter, openAI: OpenAIBackend?) {
            self.backend = backend
            self.counter = counter
            self.openAI = openAI
        }

        /// The HTTP backend, to probe before a run (nil for the others).
        public var server: OpenAIBackend? { openAI }

        /// Releases what the backend holds (an HTTP client); call once, after the run.
        public func shutdown() async {
            if let openAI { try? await openAI.shutdown() }
        }
    }

    /// Loads or connects the backend. `tokenizer` counts an endpoint's tokens exactly.
    /// A returned backend must be shut down (`Made.shutdown()`) after the run.
    public func make(tokenizer: Tokenizer? = nil) throws(ModelBackendError) -> Made {
        switch self {
        case .scripted(let replies):
            return Made(backend: ScriptedBackend(replies: replies), counter: EstimatedTokenCounter(), openAI: nil)
        case .inProcess(let directory, let maxPixels, let compute):
            let backend: InProcessBackend
            do { backend = try InProcessBackend(directory: directory, maxPixels: maxPixels, compute: compute) } catch {
                throw ModelBackendError("cannot load the model in \(directory): \(error)")
            }
            return Made(backend: backend, counter: TokenizerCounter(tokenizer: backend.model.tokenizer), openAI: nil)
        case .pool(let pool, let apiKey):
            let key = apiKey ?? ProcessInfo.processInfo.environment["TETHER_API_KEY"]
            // A dead server of a pool costs its connect timeout once before it backs off: 3 s, as
            // the health checks allow.
            let backend = OpenAIBackend(
                configuration: .init(baseURL: pool.endpoints.first ?? "", model: pool.model, apiKey: key, connectTimeout: .seconds(3), pool: pool))
            let counter: any TokenCounter = tokenizer.map { TokenizerCounter(tokenizer: $0) } ?? EstimatedTokenCounter()
            return Made(backend: backend, counter: counter, openAI: backend)
        case .openAI(let endpoint, let model, let apiKey):
            let key = apiKey ?? ProcessInfo.processInfo.environment["TETHER_API_KEY"]
            let backend = OpenAIBackend(configuration: .init(baseURL: endpoint, model: model, apiKey: key))
            let counter: any TokenCounter = tokenizer.map { TokenizerCounter(tokenizer: $0) } ?? EstimatedTokenCounter()
            return Made(backend: backend, counter: counter, openAI: backend)
        }
    }
}
