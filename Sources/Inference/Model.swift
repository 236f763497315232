internal import CKernels
import Foundation
import Imaging
import Logging

/// A prompt ready for the model: token ids with every image expanded to its `<|image|>` tokens,
/// and the processed images in the order they appear.
public struct Prompt: Sendable {
    public let tokenIds: [Int]
    public let images: [ProcessedImage]

    public init(tokenIds: [Int], images: [ProcessedImage]) {
        self.tokenIds = tokenIds
        self.images = images
    }
}

/// A loaded GLM-4.1V checkpoint (`Glm4vForConditionalGeneration`): tokenizer, image processor,
/// vision tower and text decoder. Immutable and safe to share; each generation has its own cache.
public final class GLM4VModel: Sendable {
    public let directory: String
    public let config: ModelConfig
    public let tokenizer: Tokenizer
    public let imageProcessor: ImageProcessor
    let vision: VisionTower
    let text: TextDecoder
    let logger: Logger
    /// How this model multiplies matrices.
    public let compute: ComputeOptions

    /// Loads config.json, tokenizer.json, preprocessor_config.json and the safetensors weights of
    /// `directory`, checking every tensor against the config. `maxPixels`, when given, replaces
    /// the checkpoint's image budget (pixels per image after resizing; `ImageProcessor.limited`);
    /// `compute` says how matrices are multiplied (bf16 weights are packed for oneDNN at load).
    public convenience init(
        directory: String, maxPixels: Int? = nil, compute: ComputeOptions = ComputeOptions(),
        logger: Logger = Logger(label: "tether.inference")
    ) throws {
        let config = try ModelConfig.load(directory: directory)
        let tokenizer = try Tokenizer.load(directory: directory)
        var imageProcessor = try ImageProcessor.load(directory: directory)
        if let maxPixels { imageProcessor = try imageProcessor.limited(toPixels: maxPixels) }
        let store = try WeightStore(directory: directory)
        try self.init(
            config: config, tokenizer: tokenizer, imageProcessor: imageProcessor, store: store,
            directory: directory, compute: compute, logger: logger)
    }

    /// Builds a model from parts already loaded (for example weights from another store).
    public init(
        config: ModelConfig, tokenizer: Tokenizer, imageProcessor: ImageProcessor, store: WeightStore,
        directory: String, compute: ComputeOptions = ComputeOptions(), logger: Logger = Logger(label: "tether.inference")
    ) throws {
        self.directory = directory
        self.logger = logger
        self.config = config
        self.tokenizer = tokenizer
        self.imageProcessor = imageProcessor
        guard imageProcessor.patchSize == config.vision.patchSize,
            imageProcessor.mergeSize == config.vision.spatialMergeSize,
            imageProcessor.temporalPatchSize == config.vision.temporalPatchSize
        else {
            throw InferenceError.invalidConfig(
                "preprocessor_config.json (patch \(imageProcessor.patchSize), merge \(imageProcessor.mergeSize), temporal \(imageProcessor.temporalPatchSize)) disagrees with vision_config (patch \(config.vision.patchSize), merge \(config.vision.spatialMergeSize), temporal \(config.vision.temporalPatchSize))")
        }
        for name in ["<|image|>", "<|begin_of_image|>", "<|end_of_image|>"] {
            let expected =
                name == "<|image|>"
                ? config.imageTokenId
                : (name == "<|begin_of_image|>" ? config.imageStartTokenId : config.imageEndTokenId)
            if let id = tokenizer.id(of: name), id != expected {
                throw InferenceError.invalidConfig("tokenizer.json gives \(name) id \(id) but config.json says \(expected)")
            }
        }
        self.compute = try compute.checked()
        tk_keep_freed_memory()
        // int8 quantizes the decoder (90 % of the weights, all of decoding's reads) and, unless
        // `int8-text`, the vision tower, whose products run ~3× faster on VNNI than in bf16 where
        // the CPU's bf16 dot product is slow (docs/model.md).
        var visionCompute = self.compute, textCompute = self.compute
        visionCompute.quantization = self.compute.quantization?.vision
        textCompute.quantization = self.compute.quantization?.text
        vision = try VisionTower(store: store, config: config.vision, compute: visionCompute)
        text = try TextDecoder(store: store, config: config.text, compute: textCompute)
        logger.debug(
            "loaded GLM-4.1V checkpoint",
            metadata: [
                "directory": "\(directory)",
                "tensors": "\(store.weights.count)"
            ])
    }

    // MARK: prompt

    /// Renders `messages` in the GLM-4.1V chat format, tokenizes, processes `images` and
    /// expands each image placeholder to the image's token count. Images are matched to
    /// placeholders in order.
    public func prompt(_ messages: [ChatMessage], images: [Image], addGenerationPrompt: Bool = true) throws -> Prompt {
        let placeholders = messages.reduce(0) { $0 + $1.imageCount }
        guard placeholders == images.count else {
            throw InferenceError.invalidRequest("the messages have \(placeholders) image placeholders but \(images.count) images were given")
        }
        let processed = try images.map { try imageProcessor.process($0) }
        return try prompt(text: ChatFormat.render(messages, addGenerationPrompt: addGenerationPrompt), images: processed)
    }

    /// Tokenizes already rendered text and expands its `<|image|>` tokens.
    public func prompt(text: String, images: [ProcessedImage]) throws -> Prompt {
        let ids = tokenizer.encode(text)
        let imageId = config.imageTokenId
        var out: [Int] = []
        var next = 0
        for id in ids {
            if id == imageId {
                guard next < images.count else {
                    throw InferenceError.invalidRequest("the prompt has more <|image|> placeholders than the \(images.count) images given")
                }
                out += Array(repeating: imageId, count: images[next].tokenCount)
                next += 1
            } else {
                out.append(id)
            }
        }
        guard next == images.count else {
            throw InferenceError.invalidRequest("the prompt has \(next) <|image|> placeholders but \(images.count) images were given")
        }
        return Prompt(tokenIds: out, images: images)
    }

    // MARK: positions

    /// 3-D M-RoPE positions (t, h, w) of the prompt tokens, and the delta that later decoded
    /// tokens add to their index: position(L) = L + ropeDelta on all three axes.
    public func positions(for prompt: Prompt) throws -> (positions: [[Int]], ropeDelta: Int) {
        var t: [Int] = [], h: [Int] = [], w: [Int] = []
        let ids = prompt.tokenIds
        var cur = 0, i = 0, image = 0
        let m = config.vision.spatialMergeSize
        while i < ids.count {
            if ids[i] == config.imageTokenId {
                guard image < prompt.images.count else {
                    throw InferenceError.invalidRequest("the prompt has more image tokens than images")
                }
                let g = prompt.images[image].gridTHW
                let hh = g.h / m, ww = g.w / m
                guard i + g.t * hh * ww <= ids.count,
                    ids[i..<(i + g.t * hh * ww)].allSatisfy({ $0 == config.imageTokenId })
                else {
                    throw InferenceError.invalidRequest("image \(image) needs \(g.t * hh * ww) consecutive <|image|> tokens")
                }
                for tt in 0..<g.t {
                    for r in 0..<hh {
                        for c in 0..<ww {
                            t.append(cur + tt); h.append(cur + r); w.append(cur + c)
                        }
                    }
                }
                i += g.t * hh * ww
                cur += max(g.t, max(hh, ww))
                image += 1
            } else {
                t.append(cur); h.append(cur); w.append(cur)
                cur += 1
                i += 1
            }
        }
        guard image == prompt.images.count else {
            throw InferenceError.invalidRequest("\(prompt.images.count) images but \(image) image token runs in the prompt")
        }
        let maxPos = max(t.max() ?? -1, h.max() ?? -1, w.max() ?? -1)
        return ([t, h, w], maxPos + 1 - ids.count)
    }

    // MARK: forward

    /// Vision features of one processed image: (tokens × hidden).
    public func imageFeatures(_ image: ProcessedImage) throws -> [Float] {
        try vision(image, isCancelled: { Task.isCancelled })
    }

    /// Where each image's run of `<|image|>` tokens starts in the prompt, in image order.
    func imageRunStarts(_ prompt: Prompt) throws -> [Int] {
        let ids = prompt.tokenIds
        var starts: [Int] = []
        var i = 0
        while i < ids.count {
            guard ids[i] == config.imageTokenId else { i += 1; continue }
            guard starts.count < prompt.images.count else {
                throw InferenceError.invalidRequest("the prompt has more <|image|> tokens than the \(prompt.images.count) images need")
            }
            let length = prompt.images[starts.count].tokenCount
            guard i + length <= ids.count, ids[i..<(i + length)].allSatisfy({ $0 == config.imageTokenId }) else {
                throw InferenceError.invalidRequest("image \(starts.count) needs \(length) consecutive <|image|> tokens")
            }
            starts.append(i)
            i += length
        }
        guard starts.count == prompt.images.count else {
            throw InferenceError.invalidRequest("\(prompt.images.count) images but \(starts.count) image token runs in the prompt")
        }
        return starts
    }

    /// Input embeddings of the prompt's tokens from index `start` on (the earlier ones being
    /// served by a KV cache), with image features scattered over the `<|image|>` rows. The vision
    /// tower runs only for images with a token at or after `start`; `onVisionBlock` hears each
    /// of its blocks' seconds.
    func inputEmbeddings(
        _ prompt: Prompt, from start: Int = 0, isCancelled: () -> Bool = { false }, onVisionBlock: (Double) -> Void = { _ in }
    ) throws -> [Float] {
        let vocab = config.text.vocabSize
        if let bad = prompt.tokenIds.first(where: { $0 < 0 || $0 >= vocab }) {
            throw InferenceError.invalidRequest("token id \(bad) is outside the vocabulary (\(vocab))")
        }
        let n = prompt.tokenIds.count
        precondition(start >= 0 && start < n, "inputEmbeddings: start \(start) is outside the prompt (\(n) tokens)")
        let runStarts = try imageRunStarts(prompt)
        var x = text.embed(Array(prompt.tokenIds[start...]))
        let d = config.text.hiddenSize
        for (image, runStart) in zip(prompt.images, runStarts) {
            let first = max(runStart, start), end = runStart + image.tokenCount
            guard first < end else { continue }
            let feats = try vision(image, isCancelled: isCancelled, onBlock: onVisionBlock)
            for row in first..<end {
                let from = (row - runStart) * d, to = (row - start) * d
                for j in 0..<d { x[to + j] = feats[from + j] }
            }
        }
        return x
    }

    /// Logits of every prompt position (prompt length × vocab). For tests and scoring.
    public func promptLogits(_ prompt: Prompt) throws -> [Float] {
        try checkLength(prompt.tokenIds.count)
        var cache = emptyCache()
        let x = try inputEmbeddings(prompt)
        let (pos, _) = try positions(for: prompt)
        let hidden = try text.forward(x, rows: prompt.tokenIds.count, positions: pos, cache: &cache)
        return text.logits(hidden: hidden, rows: Array(0..<prompt.tokenIds.count))
    }

    func emptyCache() -> KVCache {
        KVCache(layers: config.text.numLayers, rowWidth: config.text.numKVHeads * config.text.headDim)
    }

    func checkLength(_ n: Int) throws {
        guard n > 0 else { throw InferenceError.invalidRequest("the prompt is empty") }
        guard n <= config.text.maxPositionEmbeddings else {
            throw InferenceError.promptTooLong(tokens: n, limit: config.text.maxPositionEmbeddings)
        }
    }
}
