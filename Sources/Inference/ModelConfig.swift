import Basics
/// The text decoder's sizes, read from `text_config` in config.json.
public struct TextConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var rmsNormEps: Float
    public var ropeTheta: Double
    public var partialRotaryFactor: Double
    /// Frequency pairs given to the t, h and w position axes; sums to rotaryDim / 2.
    public var mropeSection: [Int]
    public var maxPositionEmbeddings: Int
    public var attentionBias: Bool
    public var tieWordEmbeddings: Bool
    public var eosTokenIds: [Int]
    public var padTokenId: Int?

    public var rotaryDim: Int { Int((Double(headDim) * partialRotaryFactor).rounded(.down)) }
}

/// The vision tower's sizes, read from `vision_config` in config.json.
public struct VisionConfig: Sendable, Equatable {
    public var depth: Int
    public var hiddenSize: Int
    public var numHeads: Int
    public var patchSize: Int
    public var temporalPatchSize: Int
    public var spatialMergeSize: Int
    public var inChannels: Int
    public var imageSize: Int
    public var outHiddenSize: Int
    public var intermediateSize: Int
    public var rmsNormEps: Float
    public var attentionBias: Bool
    public var ropeTheta: Double

    public var headDim: Int { hiddenSize / numHeads }
    /// Elements of one patch row of `pixel_values`: channels × temporal × patch × patch.
    public var patchElements: Int { inChannels * temporalPatchSize * patchSize * patchSize }
}

/// config.json of a `Glm4vForConditionalGeneration` checkpoint.
public struct ModelConfig: Sendable, Equatable {
    public var text: TextConfig
    public var vision: VisionConfig
    public var imageTokenId: Int
    public var imageStartTokenId: Int
    public var imageEndTokenId: Int
    public var videoTokenId: Int?

    /// Reads config.json from a checkpoint directory.
    public static func load(directory: String) throws -> ModelConfig {
        try ModelConfig(json: JSON.load(directory + "/config.json"))
    }

    /// Parses the text of a config.json.
    public static func parse(_ text: String) throws -> ModelConfig {
        try ModelConfig(json: JSON.parse(Data(text.utf8), path: "config.json"))
    }

    init(json root: JSON) throws {
        guard root.object != nil else { throw InferenceError.invalidConfig("the top level is not an object") }
        // Flattened legacy configs repeat the text keys at the top level.
        let tc = root["text_config"] ?? root
        guard let vc = root["vision_config"], vc.object != nil else {
            throw InferenceError.invalidConfig("no vision_config object; this is not a GLM-4.1V checkpoint")
        }

        func int(_ j: JSON, _ key: String, _ section: String, default def: Int? = nil) throws -> Int {
            if let v = j[key], !v.isNull {
                guard let i = v.int else { throw InferenceError.invalidConfig("\(section).\(key) is not an integer") }
                return i
            }
            if let def { return def }
            throw InferenceError.invalidConfig("\(section).\(key) is missing")
        }
        func double(_ j: JSON, _ key: String, _ section: String, default def: Double? = nil) throws -> Double {
            if let v = j[key], !v.isNull {
                guard let d = v.double else { throw InferenceError.invalidConfig("\(section).\(key) is not a number") }
                return d
            }
            if let def { return def }
            throw InferenceError.invalidConfig("\(section).\(key) is missing")
        }
        func positive(_ v: Int, _ name: String) throws -> Int {
            guard v > 0 else { throw InferenceError.invalidConfig("\(name) must be positive, got \(v)") }
            return v
        }

        // Rope settings: `rope_parameters` (transformers 5) or `rope_scaling` (older), plus
        // partial_rotary_factor at either level.
        let rope =
            (tc["rope_parameters"]?.object != nil ? tc["rope_parameters"] : nil)
            ?? (tc["rope_scaling"]?.object != nil ? tc["rope_scaling"] : nil)
        let ropeTheta = try rope.flatMap { $0["rope_theta"]?.double } ?? double(tc, "rope_theta", "text_config", default: 10000)
        let partial =
            rope.flatMap { $0["partial_rotary_factor"]?.double }
            ?? tc["partial_rotary_factor"]?.double ?? 1.0
        guard let sectionJSON = rope.flatMap({ $0["mrope_section"]?.array }) else {
            throw InferenceError.invalidConfig("text_config has no mrope_section (under rope_parameters or rope_scaling)")
        }
        let section = sectionJSON.compactMap(\.int)
        guard section.count == 3, section.count == sectionJSON.count, section.allSatisfy({ $0 >= 0 }) else {
            throw InferenceError.invalidConfig("mrope_section must be three non-negative integers, got \(sectionJSON.count) values")
        }

        let hidden = try positive(int(tc, "hidden_size", "text_config"), "text_config.hidden_size")
        let heads = try positive(int(tc, "num_attention_heads", "text_config"), "text_config.num_attention_heads")
        let kvHeads = try positive(int(tc, "num_key_value_heads", "text_config", default: heads), "text_config.num_key_value_heads")
        let headDim = try positive(int(tc, "head_dim", "text_config", default: hidden / heads), "text_config.head_dim")
        guard heads % kvHeads == 0 else {
            throw InferenceError.invalidConfig("num_attention_heads (\(heads)) is not a multiple of num_key_value_heads (\(kvHeads))")
        }
        var eos: [Int] = []
        let eosJSON = tc["eos_token_id"] ?? root["eos_token_id"]
        if let a = eosJSON?.array { eos = a.compactMap(\.int) } else if let i = eosJSON?.int { eos = [i] }

        text = TextConfig(
            vocabSize: try positive(int(tc, "vocab_size", "text_config"), "text_config.vocab_size"),
            hiddenSize: hidden,
            intermediateSize: try positive(int(tc, "intermediate_size", "text_config"), "text_config.intermediate_size"),
            numLayers: try positive(int(tc, "num_hidden_layers", "text_config"), "text_config.num_hidden_layers"),
            numHeads: heads,
            numKVHeads: kvHeads,
            headDim: headDim,
            rmsNormEps: Float(try double(tc, "rms_norm_eps", "text_config", default: 1e-5)),
            ropeTheta: ropeTheta,
            partialRotaryFactor: partial,
            mropeSection: section,
            maxPositionEmbeddings: try positive(int(tc, "max_position_embeddings", "text_config"), "text_config.max_position_embeddings"),
            attentionBias: tc["attention_bias"]?.bool ?? true,
            tieWordEmbeddings: tc["tie_word_embeddings"]?.bool ?? root["tie_word_embeddings"]?.bool ?? false,
            eosTokenIds: eos,
            padTokenId: tc["pad_token_id"]?.int ?? root["pad_token_id"]?.int)
        guard text.rotaryDim % 2 == 0, text.rotaryDim <= headDim, section.reduce(0, +) * 2 == text.rotaryDim else {
            throw InferenceError.invalidConfig(
                "mrope_section \(section) sums to \(section.reduce(0, +)) frequency pairs but head_dim \(headDim) × partial_rotary_factor \(partial) gives \(text.rotaryDim / 2)")
        }

        let vHidden = try positive(int(vc, "hidden_size", "vision_config"), "vision_config.hidden_size")
        let vHeads = try positive(int(vc, "num_heads", "vision_config"), "vision_config.num_heads")
        guard vHidden % vHeads == 0, (vHidden / vHeads) % 4 == 0 else {
            throw InferenceError.invalidConfig("vision hidden_size \(vHidden) must split into num_heads \(vHeads) heads of a multiple of 4")
        }
        let vRope = vc["rope_parameters"]
        vision = VisionConfig(
            depth: try positive(int(vc, "depth", "vision_config"), "vision_config.depth"),
            hiddenSize: vHidden,
            numHeads: vHeads,
            patchSize: try positive(int(vc, "patch_size", "vision_config", default: 14), "vision_config.patch_size"),
            temporalPatchSize: try positive(int(vc, "temporal_patch_size", "vision_config", default: 2), "vision_config.temporal_patch_size"),
            spatialMergeSize: try positive(int(vc, "spatial_merge_size", "vision_config", default: 2), "vision_config.spatial_merge_size"),
            inChannels: try positive(int(vc, "in_channels", "vision_config", default: 3), "vision_config.in_channels"),
            imageSize: try positive(int(vc, "image_size", "vision_config"), "vision_config.image_size"),
            outHiddenSize: try positive(int(vc, "out_hidden_size", "vision_config"), "vision_config.out_hidden_size"),
            intermediateSize: try positive(int(vc, "intermediate_size", "vision_config"), "vision_config.intermediate_size"),
            rmsNormEps: Float(try double(vc, "rms_norm_eps", "vision_config", default: 1e-5)),
            attentionBias: vc["attention_bias"]?.bool ?? false,
            ropeTheta: vRope?["rope_theta"]?.double ?? 10000)
        guard vision.outHiddenSize == text.hiddenSize else {
            throw InferenceError.invalidConfig(
                "vision_config.out_hidden_size (\(vision.outHiddenSize)) must equal text_config.hidden_size (\(text.hiddenSize))")
        }
        guard vision.inChannels == 3 else {
            throw InferenceError.invalidConfig("vision_config.in_channels must be 3 (RGB), got \(vision.inChannels)")
        }

        imageTokenId = try int(root, "image_token_id", "config")
        imageStartTokenId = try int(root, "image_start_token_id", "config")
        imageEndTokenId = try int(root, "image_end_token_id", "config")
        videoTokenId = root["video_token_id"]?.int
        for (name, id) in [
            ("image_token_id", imageTokenId), ("image_start_token_id", imageStartTokenId),
            ("image_end_token_id", imageEndTokenId)
        ] where id < 0 || id >= text.vocabSize {
            throw InferenceError.invalidConfig("\(name) \(id) is outside the vocabulary (vocab_size \(text.vocabSize))")
        }
    }
}

import Foundation
