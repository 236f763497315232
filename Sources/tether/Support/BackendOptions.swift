import Agent
import ArgumentParser
import Foundation
import Inference

/// The model a command asks: `--model DIR` (a checkpoint run in-process) or `--endpoint URL` of
/// an OpenAI-compatible server with `--model-name` and `--api-key`. One definition for every
/// command that takes a model.
struct BackendOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A model checkpoint directory, run in-process on the CPU (docs/model.md).", valueName: "dir"))
    var model: String?

    @Option(help: ArgumentHelp("Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1.", valueName: "url"))
    var endpoint: String?

    @Option(name: .customLong("model-name"), help: "The model's name on the server (with --endpoint).")
    var modelName: String = BackendChoice.defaultModelName

    @Option(name: .customLong("api-key"), help: "API key for the server (default: $TETHER_API_KEY).")
    var apiKey: String?

    @Option(
        name: .customLong("max-pixels"),
        help: ArgumentHelp(
            "With --model: the screen's pixel budget after resizing (default: the checkpoint's); fewer pixels, fewer image tokens, a faster step (docs/model.md).",
            valueName: "n"))
    var maxPixels: Int?

    @Option(
        help: ArgumentHelp(
            "With --model: how activations enter each matrix product: f32 (default; equal to transformers) or bf16 (rounded, as torch runs in bf16; about twice as fast in prefill, docs/model.md).",
            valueName: "f32|bf16"))
    var precision: ComputeOptions.Precision?

    @Option(
        help: ArgumentHelp(
            "With --model: int8 quantizes the weights at load (per output channel; half the memory, faster decoding, prefill and vision on VNNI; the vision tower's attention scores in int8); int8-text leaves the vision tower bf16 (docs/model.md).",
            valueName: "int8|int8-text"))
    var quantize: ComputeOptions.Quantization?

    @Option(help: ArgumentHelp("With --model: threads for the matrix products (default: every core).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if model != nil, endpoint != nil { throw ValidationError("give --model DIR or --endpoint URL, not both") }
        if precision != nil || threads != nil || quantize != nil, model == nil {
            throw ValidationError("--precision, --quantize and --threads are for a model run in-process (--model DIR)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more, not \(threads)") }
        if let maxPixels {
            guard model != nil else { throw ValidationError("--max-pixels is for a model run in-process (--model DIR); a server sets its own") }
            guard maxPixels > 0 else { throw ValidationError("--max-pixels must be a positive number of pixels, not \(maxPixels)") }
        }
        if let endpoint {
            guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                let host = url.host, !host.isEmpty
            else {
                throw ValidationError("--endpoint must be a URL with a scheme and a host, e.g. http://127.0.0.1:8000/v1, not \"\(endpoint)\"")
            }
        }
    }

    /// The backend named, or nil when none was.
    var choice: BackendChoice? {
        if let model {
            return .inProcess(directory: model, maxPixels: maxPixels, compute: ComputeOptions(precision: precision ?? .f32, quantization: quantize))
        }
        if let endpoint { return .openAI(endpoint: endpoint, model: modelName, apiKey: apiKey) }
        return nil
    }

    /// Loads the checkpoint (saying so) or connects the server and asks it what it serves, so
    /// that a wrong or dead endpoint fails in seconds. Shut the result down after use.
    func open(tokenizer: Tokenizer? = nil) async throws -> BackendChoice.Made {
        guard let choice else { throw ValidationError("no model given: --model DIR or --endpoint URL") }
        if let model { say("loading \(model) …") }
        if let threads { ComputeOptions.setThreads(threads) }
        let made: BackendChoice.Made
        do { made = try choice.make(tokenizer: tokenizer) } catch { throw CommandFailure(description: error.message) }
        if let server = made.server {
            do { try await server.probe() } catch {
                await made.shutdown()
                throw CommandFailure(description: error.message)
            }
        }
        return made
    }
}
