import ArgumentParser
import Foundation
import Imaging
import Inference

extension ModelCommand {
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a one-turn chat (images first), run the model and print the reply.")

        @Option(name: .long, help: "Checkpoint directory.") var model: String
        @Option(name: .long, help: "Image file (PNG or JPEG); repeatable.")
        var image: [String] = []
        @Option(name: .long, help: "The user's text.") var prompt: String
        @Option(name: .long, help: "A system turn placed before the user turn.") var system: String?
        @Option(name: .long, help: "Most tokens to generate.") var maxTokens: Int = 256
        @Option(name: .long, help: "0 is greedy.") var temperature: Float = 0
        @Option(name: .long, help: "Nucleus sampling mass.") var topP: Float = 1
        @Option(name: .long, help: "OpenAI-style frequency penalty over generated tokens.") var frequencyPenalty: Float = 0
        @Option(name: .long, help: "Seed for sampling.") var seed: UInt64 = 0
        @Option(name: .long, help: "Greedy only: prompt-lookup draft tokens checked per decoder pass, 0–7 (0: off).")
        var draftTokens: Int = 7
        @Option(name: .long, help: "Each image's pixel budget after resizing (default: the checkpoint's).")
        var maxPixels: Int?
        @Option(name: .long, help: "How activations enter each matrix product: f32 (equal to transformers) or bf16 (as torch in bf16).")
        var precision: ComputeOptions.Precision = .f32
        @Option(name: .long, help: "int8: weights quantized at load, per output channel; int8-text: the decoder's only (docs/model.md).")
        var quantize: ComputeOptions.Quantization?
        @Option(name: .long, help: "Threads for the matrix products (default: every core).") var threads: Int?
        @Flag(name: .long, help: "Print prompt_ids, image_grid_thw, generated_ids, text and top5 as JSON.") var json = false

        func run() async throws {
            if let threads {
                guard threads > 0 else { throw ValidationError("--threads must be 1 or more, not \(threads)") }
                ComputeOptions.setThreads(threads)
            }
            let m = try GLM4VModel(directory: model, maxPixels: maxPixels, compute: ComputeOptions(precision: precision, quantization: quantize))
            let images = try image.map(ModelCommand.readImage)
            var messages: [ChatMessage] = []
            if let system { messages.append(.system(system)) }
            messages.append(.user(prompt, images: images.count))
            let p = try m.prompt(messages, images: images)
            let options = GenerationOptions(
                maxTokens: maxTokens, temperature: temperature, topP: topP,
                frequencyPenalty: frequencyPenalty, seed: seed, draftTokens: draftTokens)
            if json {
                let r = try await m.generate(p, options: options)
                let out: [String: Any] = [
                    "prompt_ids": r.promptIds,
                    "image_grid_thw": p.images.map { [$0.gridTHW.t, $0.gridTHW.h, $0.gridTHW.w] },
                    "generated_ids": r.generatedIds,
                    "text": r.text,
                    "top5": ["ids": r.firstTop5.map(\.id), "logits": r.firstTop5.map { Double($0.logit) }],
                    "timings": [
                        "vision_s": r.timings.vision, "prefill_s": r.timings.prefill,
                        "decode_s": r.timings.decode, "decoded_tokens": r.timings.decodedTokens,
                        "decode_passes": r.timings.decodePasses, "drafted_tokens": r.timings.draftedTokens,
                        "accepted_draft_tokens": r.timings.acceptedDraftTokens,
                        "vision_block_s": r.timings.visionBlocks, "prefill_layer_s": r.timings.prefillLayers,
                        "decode_layer_s": r.timings.decodeLayers
                    ]
                ]
                let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
                say(String(decoding: data, as: UTF8.self))
            } else {
                _ = try await m.generate(p, options: options) { piece in
                    writeStdout(piece)
                }
                say("")
            }
        }
    }
}
