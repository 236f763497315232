import ArgumentParser
import Foundation
import Imaging
import Inference

extension ModelCommand {
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a checkpoint's sizes, tensors and memory needs.")

        @Argument(help: "Checkpoint directory (config.json, tokenizer.json, *.safetensors).")
        var directory: String

        func run() async throws {
            let info = try CheckpointInfo.inspect(directory: directory)
            let t = info.config.text, v = info.config.vision
            let gb = { (b: Int) in b >= 1_000_000_000 ? String(format: "%.2f GB", Double(b) / 1e9) : String(format: "%.2f MB", Double(b) / 1e6) }
            say("checkpoint      \(info.directory)")
            say("parameters      \(info.parameterCount) in \(info.tensorCount) tensors (\(info.parametersByDType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))")
            say("weights         \(gb(info.weightBytes)) on disk, memory-mapped")
            say("matrix kernel   \(ComputeOptions.matrixKernel) (bf16 weights are packed for it at load)")
            say("f32 products    \(ComputeOptions.products(.f32))")
            say("bf16 products   \(ComputeOptions.products(.bf16))")
            say("text decoder    \(t.numLayers) layers, hidden \(t.hiddenSize), MLP \(t.intermediateSize), heads \(t.numHeads)/\(t.numKVHeads) kv × \(t.headDim), rotary \(t.rotaryDim) dims, mrope \(t.mropeSection), vocab \(t.vocabSize), context \(t.maxPositionEmbeddings)")
            say("vision tower    \(v.depth) blocks, hidden \(v.hiddenSize), heads \(v.numHeads), patch \(v.patchSize), merge \(v.spatialMergeSize), out \(v.outHiddenSize)")
            say("tokenizer       \(info.tokenizerSize) tokens; eos \(t.eosTokenIds); image token \(info.config.imageTokenId)")
            say("images          \(info.imageProcessor.minPixels)…\(info.imageProcessor.maxPixels) pixels (t·h·w, t = \(info.imageProcessor.temporalPatchSize))")
            say("KV cache        \(info.kvBytesPerToken) bytes per token (fp32)")
        }
    }
}
