import Foundation

/// Keys (already rotated) and values of every layer for the tokens seen so far.
public struct KVCache: Sendable {
    var keys: [[Float]]
    var values: [[Float]]
    /// Floats per token in one layer's keys (and values): KV heads × head size.
    let rowWidth: Int
    /// Tokens held.
    public private(set) var count: Int = 0

    init(layers: Int, rowWidth: Int) {
        keys = Array(repeating: [], count: layers)
        values = Array(repeating: [], count: layers)
        self.rowWidth = rowWidth
    }

    mutating func advance(by n: Int) { count += n }

    /// A new cache with copies of the first `tokens` tokens (this one is left as it is).
    func prefix(_ tokens: Int) -> KVCache {
        precondition(tokens >= 0 && tokens <= count, "KVCache.prefix: \(tokens) is outside 0...\(count)")
        var copy = KVCache(layers: keys.count, rowWidth: rowWidth)
        let floats = tokens * rowWidth
        copy.keys = keys.map { Array($0.prefix(floats)) }
        copy.values = values.map { Array($0.prefix(floats)) }
        copy.count = tokens
        return copy
    }

    /// Keeps the first `tokens` tokens. Also repairs a cache left half-written by a forward pass
    /// that threw between layers: `count` only advances once every layer has its rows, so
    /// truncating to `count` drops the rows of the unfinished pass.
    mutating func truncate(to tokens: Int) {
        precondition(tokens >= 0 && tokens <= count, "KVCache.truncate: \(tokens) is outside 0...\(count)")
        let floats = tokens * rowWidth
        for l in keys.indices {
            if keys[l].count > floats { keys[l].removeSubrange(floats...) }
            if values[l].count > floats { values[l].removeSubrange(floats...) }
        }
        count = tokens
    }
}

/// The GLM-4 decoder with 3-D M-RoPE: four RMSNorms per layer, GQA attention with q/k/v bias,
/// interleaved rotary on the first `rotaryDim` dims, fused gate_up SwiGLU, untied lm_head.
struct TextDecoder: Sendable {
    struct Layer: Sendable {
        let inputNorm: [Float], postSelfAttnNorm: [Float], postAttentionNorm: [Float], postMlpNorm: [Float]
        let q: Weight, k: Weight, v: Weight, o: Weight
        let qBias: [Float]?, kBias: [Float]?, vBias: [Float]?
        let gateUp: Weight, down: Weight
    }

    let config: TextConfig
    let embed: Weight
    let layers: [Layer]
    let norm: [Float]
    let lmHead: Weight
    let invFreq: [Float]
    let compute: ComputeOptions

    init(store: WeightStore, config c: TextConfig, compute: ComputeOptions = ComputeOptions()) throws {
        config = c
        self.compute = compute
        let p = "model.language_model."
        let d = c.hiddenSize, qd = c.numHeads * c.headDim, kvd = c.numKVHeads * c.headDim
        embed = try store.tensor(p + "embed_tokens.weight", shape: [c.vocabSize, d])
        var layers: [Layer] = []
        for i in 0..<c.numLayers {
            let l = p + "layers.\(i)."
            func vec(_ name: String, _ n: Int) throws -> [Float] { try store.tensor(l + name, shape: [n]).floats() }
            layers.append(
                Layer(
                    inputNorm: try vec("input_layernorm.weight", d),
                    postSelfAttnNorm: try vec("post_self_attn_layernorm.weight", d),
                    postAttentionNorm: try vec("post_attention_layernorm.weight", d),
                    postMlpNorm: try vec("post_mlp_layernorm.weight", d),
                    q: try store.matrix(l + "self_attn.q_proj.weight", shape: [qd, d], compute),
                    k: try store.matrix(l + "self_attn.k_proj.weight", shape: [kvd, d], compute),
                    v: try store.matrix(l + "self_attn.v_proj.weight", shape: [kvd, d], compute),
                    o: try store.matrix(l + "self_attn.o_proj.weight", shape: [d, qd], compute),
                    qBias: c.attentionBias ? try vec("self_attn.q_proj.bias", qd) : nil,
                    kBias: c.attentionBias ? try vec("self_attn.k_proj.bias", kvd) : nil,
                    vBias: c.attentionBias ? try vec("self_attn.v_proj.bias", kvd) : nil,
                    gateUp: try store.matrix(l + "mlp.gate_up_proj.weight", shape: [2 * c.intermediateSize, d], compute),
                    down: try store.matrix(l + "mlp.down_proj.weight", shape: [d, c.intermediateSize], compute)))
        }
        self.layers = layers
        norm = try store.tensor(p + "norm.weight", shape: [d]).floats()
        if c.tieWordEmbeddings, store.weights["lm_head.weight"] == nil {
            lmHead = embed.packed(for: compute)
        } else {
            lmHead = try store.matrix("lm_head.weight", shape: [c.vocabSize, d], compute)
        }
        let rd = c.rotaryDim
        invFreq = (0..<(rd / 2)).map { j in 1 / powf(Float(c.ropeTheta), Float(2 * j) / Float(rd)) }
    }

    /// Embedding rows of `ids` (M × hidden).
    func embed(_ ids: [Int]) -> [Float] {
        let d = config.hiddenSize
        var x = [Float](repeating: 0, count: ids.count * d)
        x.withUnsafeMutableBufferPointer { xp in
            guard let base = xp.baseAddress else { return }
            for (i, id) in ids.enumerated() { embed.row(id, into: base + i * d) }
        }
        return x
    }

    /// Interleaved-pair rotary tables (m × rotaryDim/2 each) for 3-D M-RoPE:
    /// `positions[a][i]` is token i's position on axis a (t, h, w).
    func rotaryTables(rows m: Int, positions: [[Int]]) -> (cos: [Float], sin: [Float]) {
        let pairs = config.rotaryDim / 2
        let s0 = config.mropeSection[0], s1 = config.mropeSection[0] + config.mropeSection[1]
        var cosT = [Float](repeating: 0, count: m * pairs), sinT = cosT
        for i in 0..<m {
            for j in 0..<pairs {
                let axis = j < s0 ? 0 : (j < s1 ? 1 : 2)
                let angle = Float(positions[axis][i]) * invFreq[j]
                cosT[i * pairs + j] = cosf(angle)
                sinT[i * pairs + j] = sinf(angle)
            }
        }
        return (cosT, sinT)
    }

    /// Runs `m` new tokens (embeddings `x`, M × hidden) through the layers, appending to `cache`.
    /// Returns the final-normed hidden states of the rows selected by `outputRows`. `onLayer`
    /// hears each layer's seconds.
    func forward(
        _ input: [Float], rows m: Int, positions: [[Int]], cache: inout KVCache,
        isCancelled: () -> Bool = { false }, onLayer: (Double) -> Void = { _ in }
    ) throws -> [Float] {
        let c = config
        let d = c.hiddenSize, hd = c.headDim, eps = c.rmsNormEps
        let past = cache.count
        var x = input
        let (cosT, sinT) = rotaryTables(rows: m, positions: positions)
        for (li, layer) in layers.enumerated() {
            if isCancelled() { throw CancellationError() }
            let start = ContinuousClock.now
            defer { onLayer((ContinuousClock.now - start) / .seconds(1)) }
            let y = Kernels.rmsNorm(x, width: d, weight: layer.inputNorm, eps: eps)
            var q = Kernels.linear(y, rows: m, layer.q, bias: layer.qBias)
            var k = Kernels.linear(y, rows: m, layer.k, bias: layer.kBias)
            let v = Kernels.linear(y, rows: m, layer.v, bias: layer.vBias)
            let pairs = Kernels.Rotary.pairs(c.rotaryDim / 2)
            Kernels.rotate(&q, rows: m, stride: c.numHeads * hd, heads: c.numHeads, headDim: hd, pairs, cos: cosT, sin: sinT)
            Kernels.rotate(&k, rows: m, stride: c.numKVHeads * hd, heads: c.numKVHeads, headDim: hd, pairs, cos: cosT, sin: sinT)
            cache.keys[li] += k
            cache.values[li] += v
            let total = past + m
            let attn = try Kernels.attention(
                q: q, mq: m, k: cache.keys[li], v: cache.values[li], mk: total,
                heads: c.numHeads, kvHeads: c.numKVHeads, headDim: hd,
                causal: true, causalOffset: past, precision: compute.precision == .bf16 ? .bf16 : .f32)
            var a = Kernels.linear(attn, rows: m, layer.o)
            a = Kernels.rmsNorm(a, width: d, weight: layer.postSelfAttnNorm, eps: eps)
            Kernels.add(&x, a)
            let y2 = Kernels.rmsNorm(x, width: d, weight: layer.postAttentionNorm, eps: eps)
            let gu = Kernels.linear(y2, rows: m, layer.gateUp)
            let inter = c.intermediateSize
            let h = Kernels.siluMul(gate: gu, gateStride: 2 * inter, up: gu, upOffset: inter, upStride: 2 * inter, rows: m, width: inter)
            var mlp = Kernels.linear(h, rows: m, layer.down)
            mlp = Kernels.rmsNorm(mlp, width: d, weight: layer.postMlpNorm, eps: eps)
            Kernels.add(&x, mlp)
        }
        cache.advance(by: m)
        return x
    }

    /// Logits (rows × vocab) from the hidden states of the given rows.
    func logits(hidden x: [Float], rows: [Int]) -> [Float] {
        let d = config.hiddenSize
        var sel = [Float](repeating: 0, count: rows.count * d)
        for (k, r) in rows.enumerated() { for j in 0..<d { sel[k * d + j] = x[r * d + j] } }
        sel = Kernels.rmsNorm(sel, width: d, weight: norm, eps: config.rmsNormEps)
        return Kernels.linear(sel, rows: rows.count, lmHead)
    }
}
