import Foundation

/// The GLM-4.1V vision encoder: Conv3d patch embedding, post-conv RMSNorm, bicubic-resampled
/// learned positions, blocks with 2-D rotary attention, post-norm, 2×2 downsample, merger.
struct VisionTower: Sendable {
    struct Block: Sendable {
        let norm1: [Float], norm2: [Float]
        let qkv: Weight, proj: Weight
        let gate: Weight, up: Weight, down: Weight
    }

    let config: VisionConfig
    let patchWeight: Weight
    let patchBias: [Float]
    let postConvNorm: [Float]
    let positionTable: [Float]
    let positionSide: Int
    let blocks: [Block]
    let postNorm: [Float]
    let downsampleWeight: Weight
    let downsampleBias: [Float]
    let mergerProj: Weight
    let mergerNormWeight: [Float]
    let mergerNormBias: [Float]
    let mergerGate: Weight, mergerUp: Weight, mergerDown: Weight
    let compute: ComputeOptions

    init(store: WeightStore, config c: VisionConfig, compute: ComputeOptions = ComputeOptions()) throws {
        config = c
        self.compute = compute
        let p = "model.visual."
        let d = c.hiddenSize, m = c.spatialMergeSize
        patchWeight = try store.matrix(
            p + "patch_embed.proj.weight",
            shape: [d, c.inChannels, c.temporalPatchSize, c.patchSize, c.patchSize], compute)
        patchBias = try store.tensor(p + "patch_embed.proj.bias", shape: [d]).floats()
        postConvNorm = try store.tensor(p + "post_conv_layernorm.weight", shape: [d]).floats()
        let side = c.imageSize / c.patchSize
        guard side > 0 else { throw InferenceError.invalidConfig("vision image_size \(c.imageSize) is smaller than patch_size") }
        positionSide = side
        positionTable = try store.tensor(p + "embeddings.position_embedding.weight", shape: [side * side, d]).floats()
        var blocks: [Block] = []
        for i in 0..<c.depth {
            let b = p + "blocks.\(i)."
            blocks.append(
                Block(
                    norm1: try store.tensor(b + "norm1.weight", shape: [d]).floats(),
                    norm2: try store.tensor(b + "norm2.weight", shape: [d]).floats(),
                    qkv: try store.matrix(b + "attn.qkv.weight", shape: [3 * d, d], compute),
                    proj: try store.matrix(b + "attn.proj.weight", shape: [d, d], compute),
                    // The block MLP is out_hidden_size wide (not intermediate_size), as in transformers.
                    gate: try store.matrix(b + "mlp.gate_proj.weight", shape: [c.outHiddenSize, d], compute),
                    up: try store.matrix(b + "mlp.up_proj.weight", shape: [c.outHiddenSize, d], compute),
                    down: try store.matrix(b + "mlp.down_proj.weight", shape: [d, c.outHiddenSize], compute)))
        }
        self.blocks = blocks
        postNorm = try store.tensor(p + "post_layernorm.weight", shape: [d]).floats()
        downsampleWeight = try store.matrix(p + "downsample.weight", shape: [c.outHiddenSize, d, m, m], compute)
        downsampleBias = try store.tensor(p + "downsample.bias", shape: [c.outHiddenSize]).floats()
        let o = c.outHiddenSize
        mergerProj = try store.matrix(p + "merger.proj.weight", shape: [o, o], compute)
        mergerNormWeight = try store.tensor(p + "merger.post_projection_norm.weight", shape: [o]).floats()
        mergerNormBias = try store.tensor(p + "merger.post_projection_norm.bias", shape: [o]).floats()
        mergerGate = try store.matrix(p + "merger.gate_proj.weight", shape: [c.intermediateSize, o], compute)
        mergerUp = try store.matrix(p + "merger.up_proj.weight", shape: [c.intermediateSize, o], compute)
        mergerDown = try store.matrix(p + "merger.down_proj.weight", shape: [o, c.intermediateSize], compute)
    }

    /// (row, col) of each patch in merge-block order.
    func patchCoordinates(h: Int, w: Int) -> [(row: Int, col: Int)] {
        let m = config.spatialMergeSize
        var out: [(Int, Int)] = []
        out.reserveCapacity(h * w)
        for bh in 0..<(h / m) {
            for bw in 0..<(w / m) {
                for mh in 0..<m {
                    for mw in 0..<m {
                        out.append((bh * m + mh, bw * m + mw))
                    }
                }
            }
        }
        return out
    }

    /// Patch embedding + post-conv norm + position embedding: (N × hidden).
    func embed(_ image: ProcessedImage) -> [Float] {
        let d = config.hiddenSize
        let n = image.patchCount
        var x = Kernels.linear(image.pixelValues, rows: n, patchWeight, bias: patchBias)
        x = Kernels.rmsNorm(x, width: d, weight: postConvNorm, eps: config.rmsNormEps)
        let coords = patchCoordinates(h: image.gridTHW.h, w: image.gridTHW.w)
        let s = positionSide
        let H = Float(image.gridTHW.h), W = Float(image.gridTHW.w)
        // Each patch adds 16 rows of the table: its bicubic taps and their weights.
        var taps = [Int32](repeating: 0, count: n * 16), weights = [Float](repeating: 0, count: n * 16)
        for (k, rc) in coords.enumerated() {
            // grid_sample(bicubic, align_corners=False, padding border) at the patch centre,
            // normalized coordinates computed in fp32 as transformers does.
            let xn = ((Float(rc.col) + 0.5) / W) * 2 - 1
            let yn = ((Float(rc.row) + 0.5) / H) * 2 - 1
            let sx = ((xn + 1) * Float(s) - 1) / 2
            let sy = ((yn + 1) * Float(s) - 1) / 2
            let fx = sx.rounded(.down), fy = sy.rounded(.down)
            let wx = VisionTower.cubicWeights(sx - fx), wy = VisionTower.cubicWeights(sy - fy)
            let ix = Int(fx), iy = Int(fy)
            for i in 0..<4 {
                let yy = min(max(iy - 1 + i, 0), s - 1)
                for j in 0..<4 {
                    let xx = min(max(ix - 1 + j, 0), s - 1)
                    taps[k * 16 + i * 4 + j] = Int32(yy * s + xx)
                    weights[k * 16 + i * 4 + j] = wy[i] * wx[j]
                }
            }
        }
        Kernels.addWeightedRows(&x, width: d, table: positionTable, rows: taps, weights: weights, taps: 16)
        return x
    }

    /// PyTorch's cubic convolution weights (A = −0.75) for the four taps around t ∈ [0, 1).
    static func cubicWeights(_ t: Float) -> [Float] {
        let a: Float = -0.75
        func c1(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func c2(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]
    }

    /// int8 weights bring int8 scores (the attention over thousands of patches is most of a
    /// full-screen block's work); otherwise attention follows the products' precision.
    var attentionPrecision: Kernels.AttentionPrecision {
        compute.quantization != nil ? .int8Scores : (compute.precision == .bf16 ? .bf16 : .f32)
    }

    /// One block; `cos`/`sin` are (N × headDim/2) rotary tables.
    func block(_ b: Block, _ x: inout [Float], n: Int, cos: [Float], sin: [Float]) throws {
        let d = config.hiddenSize, nh = config.numHeads, hd = config.headDim
        let y = Kernels.rmsNorm(x, width: d, weight: b.norm1, eps: config.rmsNormEps)
        var qkv = Kernels.linear(y, rows: n, b.qkv)
        // NeoX rotate-half over the full head dim, on q and k where the product left them.
        Kernels.rotate(&qkv, offset: 0, rows: n, stride: 3 * d, heads: nh, headDim: hd, .half, cos: cos, sin: sin)
        Kernels.rotate(&qkv, offset: d, rows: n, stride: 3 * d, heads: nh, headDim: hd, .half, cos: cos, sin: sin)
        let attn = try Kernels.attention(
            q: qkv, qStride: 3 * d, mq: n, k: qkv, kOffset: d, v: qkv, vOffset: 2 * d, kvStride: 3 * d, mk: n,
            heads: nh, kvHeads: nh, headDim: hd, causal: false, precision: attentionPrecision)
        Kernels.add(&x, Kernels.linear(attn, rows: n, b.proj))
        let y2 = Kernels.rmsNorm(x, width: d, weight: b.norm2, eps: config.rmsNormEps)
        let o = config.outHiddenSize
        let g = Kernels.linear(y2, rows: n, b.gate), u = Kernels.linear(y2, rows: n, b.up)
        let h = Kernels.siluMul(gate: g, gateStride: o, up: u, upStride: o, rows: n, width: o)
        Kernels.add(&x, Kernels.linear(h, rows: n, b.down))
    }

    /// Rotary tables for the patches: angle j < hd/4 uses the row, the rest the column.
    func rotaryTables(_ coords: [(row: Int, col: Int)]) -> (cos: [Float], sin: [Float]) {
        let hd = config.headDim
        let dim = hd / 2  // Glm4vVisionRotaryEmbedding(head_dim // 2)
        let nFreq = dim / 2
        var inv = [Float](repeating: 0, count: nFreq)
        for i in 0..<nFreq { inv[i] = 1 / powf(Float(config.ropeTheta), Float(2 * i) / Float(dim)) }
        var cosT = [Float](repeating: 0, count: coords.count * dim), sinT = cosT
        for (k, rc) in coords.enumerated() {
            for i in 0..<dim {
                let angle = i < nFreq ? Float(rc.row) * inv[i] : Float(rc.col) * inv[i - nFreq]
                cosT[k * dim + i] = cosf(angle)
                sinT[k * dim + i] = sinf(angle)
            }
        }
        return (cosT, sinT)
    }

    /// Image features for the decoder: (N / merge² × out_hidden_size), in prompt order.
    /// `onBlock` hears each block's seconds.
    func callAsFunction(
        _ image: ProcessedImage, isCancelled: () -> Bool = { false }, onBlock: (Double) -> Void = { _ in }
    ) throws -> [Float] {
        guard image.gridTHW.t == 1 else { throw InferenceError.invalidRequest("only still images (t = 1) are supported") }
        guard image.patchElements == config.patchElements else {
            throw InferenceError.invalidRequest(
                "the image was processed into \(image.patchElements)-element patches but the vision tower expects \(config.patchElements); use the checkpoint's preprocessor settings")
        }
        let m = config.spatialMergeSize
        guard image.gridTHW.h % m == 0, image.gridTHW.w % m == 0 else {
            throw InferenceError.invalidRequest("the patch grid \(image.gridTHW.h)×\(image.gridTHW.w) is not a multiple of the merge size \(m)")
        }
        let n = image.patchCount, d = config.hiddenSize
        var x = embed(image)
        let (cosT, sinT) = rotaryTables(patchCoordinates(h: image.gridTHW.h, w: image.gridTHW.w))
        for b in blocks {
            if isCancelled() { throw CancellationError() }
            let start = ContinuousClock.now
            try block(b, &x, n: n, cos: cosT, sin: sinT)
            onBlock((ContinuousClock.now - start) / .seconds(1))
        }
        x = Kernels.rmsNorm(x, width: d, weight: postNorm, eps: config.rmsNormEps)
        // 2×2 downsample conv as a linear map over the m² patches of each merged token:
        // input element [c][i][j] = patch (m²·t + i·m + j), channel c.
        let mm = m * m, tokens = n / mm
        var z = Kernels.linear(Kernels.mergeGather(x, groups: tokens, of: mm, width: d), rows: tokens, downsampleWeight, bias: downsampleBias)
        let o = config.outHiddenSize
        z = Kernels.linear(z, rows: tokens, mergerProj)
        z = Kernels.layerNorm(z, width: o, weight: mergerNormWeight, bias: mergerNormBias, eps: 1e-5)
        Kernels.geluErf(&z)
        let g = Kernels.linear(z, rows: tokens, mergerGate), u = Kernels.linear(z, rows: tokens, mergerUp)
        let inter = config.intermediateSize
        return Kernels.linear(
            Kernels.siluMul(gate: g, gateStride: inter, up: u, upStride: inter, rows: tokens, width: inter), rows: tokens, mergerDown)
    }
}
