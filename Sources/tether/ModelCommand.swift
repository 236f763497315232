import ArgumentParser
import Foundation
import Imaging
import Inference

struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect and run a GLM-4.1V (AutoGLM-Phone-9B) checkpoint in-process on the CPU.",
        subcommands: [Info.self, Generate.self, BenchPrefix.self])

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a checkpoint's sizes, tensors and memory needs.")

        @Argument(help: "Checkpoint directory (config.json, tokenizer.json, *.safetensors).")
        var directory: String

        func run() async throws {
            let info = try CheckpointInfo.inspect(directory: directory)
            let t = info.config.text, v = info.config.vision
            let gb = { (b: Int) in b >= 1_000_000_000 ? String(format: "%.2f GB", Double(b) / 1e9) : String(format: "%.2f MB", Double(b) / 1e6) }
            print("checkpoint      \(info.directory)")
            print("parameters      \(info.parameterCount) in \(info.tensorCount) tensors (\(info.parametersByDType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))")
            print("weights         \(gb(info.weightBytes)) on disk, memory-mapped")
            print("text decoder    \(t.numLayers) layers, hidden \(t.hiddenSize), MLP \(t.intermediateSize), heads \(t.numHeads)/\(t.numKVHeads) kv × \(t.headDim), rotary \(t.rotaryDim) dims, mrope \(t.mropeSection), vocab \(t.vocabSize), context \(t.maxPositionEmbeddings)")
            print("vision tower    \(v.depth) blocks, hidden \(v.hiddenSize), heads \(v.numHeads), patch \(v.patchSize), merge \(v.spatialMergeSize), out \(v.outHiddenSize)")
            print("tokenizer       \(info.tokenizerSize) tokens; eos \(t.eosTokenIds); image token \(info.config.imageTokenId)")
            print("images          \(info.imageProcessor.minPixels)…\(info.imageProcessor.maxPixels) pixels (t·h·w, t = \(info.imageProcessor.temporalPatchSize))")
            print("KV cache        \(info.kvBytesPerToken) bytes per token (fp32)")
        }
    }

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
        @Flag(name: .long, help: "Print prompt_ids, image_grid_thw, generated_ids, text and top5 as JSON.") var json = false

        func run() async throws {
            let m = try GLM4VModel(directory: model)
            let images = try image.map(ModelCommand.readImage)
            var messages: [ChatMessage] = []
            if let system { messages.append(.system(system)) }
            messages.append(.user(prompt, images: images.count))
            let p = try m.prompt(messages, images: images)
            let options = GenerationOptions(maxTokens: maxTokens, temperature: temperature, topP: topP,
                                            frequencyPenalty: frequencyPenalty, seed: seed)
            if json {
                let r = try await m.generate(p, options: options)
                let out: [String: Any] = [
                    "prompt_ids": r.promptIds,
                    "image_grid_thw": p.images.map { [$0.gridTHW.t, $0.gridTHW.h, $0.gridTHW.w] },
                    "generated_ids": r.generatedIds,
                    "text": r.text,
                    "top5": ["ids": r.firstTop5.map(\.id), "logits": r.firstTop5.map { Double($0.logit) }],
                "timings": ["vision_s": r.timings.vision, "prefill_s": r.timings.prefill,
                            "decode_s": r.timings.decode, "decoded_tokens": r.timings.decodedTokens],
                ]
                let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                _ = try await m.generate(p, options: options) { piece in
                    FileHandle.standardOutput.write(Data(piece.utf8))
                }
                print("")
            }
        }
    }

    /// A PNG or JPEG file, decoded by the Imaging module.
    static func readImage(_ path: String) throws -> RGBAImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelCommandError(description: "cannot read image \(path)")
        }
        do {
            let decoded = try Image(encodedData: data)
            return RGBAImage(width: decoded.width, height: decoded.height, bytes: decoded.packedBytes)
        } catch {
            throw ModelCommandError(description: "\(path): \(error)")
        }
    }
}

/// A failure outside the model (an unreadable image file); printed as "Error: …" with exit code 1.
struct ModelCommandError: Error, CustomStringConvertible {
    let description: String
}
