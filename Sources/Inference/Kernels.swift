internal import CKernels
import Foundation

/// Row-major activations are plain `[Float]` with explicit row counts; weights are `Weight`
/// views: packed for oneDNN at load (bf16), else memory-mapped f32, or f16/bf16 converted tile
/// by tile into a scratch buffer.
enum Kernels {
    /// y (m × n) = x (m × k) · Wᵀ (+ bias), W being n × k.
    static func linear(_ x: [Float], rows m: Int, _ w: Weight, bias: [Float]? = nil) -> [Float] {
        let n = w.rows, k = w.columns
        precondition(x.count == m * k, "linear: input \(x.count) is not \(m)×\(k) for \(w.name)")
        guard k > 0 else { return bias.map { b in (0..<m).flatMap { _ in b } } ?? [Float](repeating: 0, count: m * n) }
        var y = written(m * n) { yb in
            x.withUnsafeBufferPointer { xp in
                guard let xb = xp.baseAddress else { return }
                if let packed = w.packed, packed.multiply(xb, rows: m, into: yb) {
                    // oneDNN's bf16 kernel on weights packed at load.
                } else if let wp = w.f32Pointer {
                    gemm(xb, m: m, k: k, wp, n: n, yb, ldc: n)
                } else if m <= 8, HalfGEMV.canRun(w) {
                    HalfGEMV.run(x: xb, m: m, k: k, w: w, y: yb)
                } else {
                    // Convert a tile of rows at a time (≈4 MB) so bf16/f16 weights never need a
                    // full f32 copy.
                    let tile = max(1, min(n, (1 << 20) / max(k, 1)))
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tile * k)
                    defer { scratch.deallocate() }
                    var r0 = 0
                    while r0 < n {
                        let rows = min(tile, n - r0)
                        w.convert(start: r0 * k, count: rows * k, into: scratch)
                        gemm(xb, m: m, k: k, scratch, n: rows, yb + r0, ldc: n)
                        r0 += rows
                    }
                }
            }
        }
        if let bias { addBias(&y, rows: m, bias) }
        return y
    }

    /// A new array of `count` floats, every one of which `fill` writes. Not zeroed first: the
    /// kernels write each element, and zeroing the hundreds of MB of a product's output is one more
    /// pass over memory (and, on fresh pages, a page fault per 4 KB) for nothing.
    static func written(_ count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { fill(base) }
            initialized = count
        }
    }

    /// C (m × n, leading dim ldc) = A (m × k) · Bᵀ, B being n × k (OpenBLAS over the compute pool).
    static func gemm(
        _ a: UnsafePointer<Float>, m: Int, k: Int, _ b: UnsafePointer<Float>, n: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        tk_sgemm_nt(a, m, k, b, n, c, ldc)
    }

    /// RMSNorm over rows of width `d`: w ⊙ x / sqrt(mean(x²) + eps).
    static func rmsNorm(_ x: [Float], width d: Int, weight: [Float], eps: Float) -> [Float] {
        precondition(x.count % d == 0 && weight.count == d, "rmsNorm: \(x.count) floats in rows of \(d)")
        return written(x.count) { tk_rms_norm(x, $0, x.count / d, d, weight, eps) }
    }

    /// LayerNorm over rows of width `d` with weight and bias.
    static func layerNorm(_ x: [Float], width d: Int, weight: [Float], bias: [Float], eps: Float) -> [Float] {
        precondition(x.count % d == 0 && weight.count == d && bias.count == d, "layerNorm: \(x.count) floats in rows of \(d)")
        return written(x.count) { tk_layer_norm(x, $0, x.count / d, d, weight, bias, eps) }
    }

    /// SwiGLU: (rows × width) up ⊙ silu(gate), where row i of the gate starts at
    /// `gateOffset + i·gateStride` of `gate` and of the up projection at `upOffset + i·upStride`
    /// of `up` (one fused gate_up matrix is passed as both).
    static func siluMul(
        gate: [Float], gateOffset: Int = 0, gateStride: Int, up: [Float], upOffset: Int = 0, upStride: Int,
        rows: Int, width: Int
    ) -> [Float] {
        precondition(
            rows == 0
                || (gateOffset + (rows - 1) * gateStride + width <= gate.count
                    && upOffset + (rows - 1) * upStride + width <= up.count),
            "siluMul: \(rows) rows of \(width) do not fit")
        return written(rows * width) { yb in
            gate.withUnsafeBufferPointer { gp in
                up.withUnsafeBufferPointer { up in
                    guard let g = gp.baseAddress, let u = up.baseAddress else { return }
                    tk_silu_mul(g + gateOffset, gateStride, u + upOffset, upStride, yb, rows, width)
                }
            }
        }
    }

    /// x = x · Φ(x) with the exact (erf) GELU, in place.
    static func geluErf(_ x: inout [Float]) {
        let n = x.count
        x.withUnsafeMutableBufferPointer { xp in
            guard let xb = xp.baseAddress else { return }
            tk_gelu_erf(xb, 1, n)
        }
    }

    /// a += b.
    static func add(_ a: inout [Float], _ b: [Float]) {
        precondition(a.count == b.count, "add: \(a.count) and \(b.count) floats")
        let n = a.count
        a.withUnsafeMutableBufferPointer { ap in
            guard let ab = ap.baseAddress else { return }
            tk_add(ab, b, 1, n)
        }
    }

    /// Each row of y (rows × bias.count) += bias.
    static func addBias(_ y: inout [Float], rows: Int, _ bias: [Float]) {
        precondition(y.count == rows * bias.count, "addBias: \(y.count) floats are not \(rows) rows of \(bias.count)")
        y.withUnsafeMutableBufferPointer { yp in
            guard let yb = yp.baseAddress else { return }
            tk_add_bias(yb, rows, bias.count, bias)
        }
    }

    /// Rotary embedding in place on `rows` rows of `x` starting at `offset`, `stride` floats
    /// apart, each with `heads` heads of `headDim`. `.half`: rotate-half over the whole head, cos
    /// and sin rows × headDim/2; `.pairs(n)`: interleaved pairs on the first 2n floats of a head,
    /// cos and sin rows × n.
    enum Rotary { case half, pairs(Int) }
    static func rotate(
        _ x: inout [Float], offset: Int = 0, rows: Int, stride: Int, heads: Int, headDim: Int, _ kind: Rotary,
        cos: [Float], sin: [Float]
    ) {
        let perRow: Int
        switch kind {
        case .half: perRow = headDim / 2
        case .pairs(let n): perRow = n
        }
        precondition(cos.count >= rows * perRow && sin.count >= rows * perRow, "rotate: tables shorter than \(rows) rows")
        precondition(rows == 0 || offset + (rows - 1) * stride + heads * headDim <= x.count, "rotate: \(rows) rows do not fit")
        x.withUnsafeMutableBufferPointer { xp in
            guard let xb = xp.baseAddress else { return }
            switch kind {
            case .half: tk_rope_half(xb + offset, rows, stride, Int32(heads), Int32(headDim), cos, sin)
            case .pairs(let n): tk_rope_pairs(xb + offset, rows, stride, Int32(heads), Int32(headDim), Int32(n), cos, sin)
            }
        }
    }

    /// The m rows of each of `groups` groups, channel-major: out[g·width·m + c·m + q] =
    /// x[(g·m + q)·width + c] (the vision tower's 2×2 downsample as one product).
    static func mergeGather(_ x: [Float], groups: Int, of m: Int, width: Int) -> [Float] {
        precondition(x.count == groups * m * width, "mergeGather: \(x.count) floats are not \(groups)×\(m) rows of \(width)")
        return written(x.count) { tk_merge_gather(x, groups, m, width, $0) }
    }

    /// Row r of y (rows × width) += Σ over t < taps of weights[r·taps + t] · row rows[r·taps + t]
    /// of `table`.
    static func addWeightedRows(_ y: inout [Float], width: Int, table: [Float], rows: [Int32], weights: [Float], taps: Int) {
        let n = y.count / width
        precondition(rows.count == n * taps && weights.count == n * taps, "addWeightedRows: \(rows.count) taps for \(n) rows")
        precondition(rows.allSatisfy { $0 >= 0 && (Int($0) + 1) * width <= table.count }, "addWeightedRows: a row outside the table")
        y.withUnsafeMutableBufferPointer { yp in
            guard let yb = yp.baseAddress else { return }
            tk_add_weighted_rows(yb, n, width, table, rows, weights, Int32(taps))
        }
    }

    /// How attention computes where the CPU allows (AVX-512 BF16; VNNI for int8 scores).
    enum AttentionPrecision: Sendable {
        /// f32 products (OpenBLAS) and softmax: transformers' numbers.
        case f32
        /// q, k, v and the softmax weights rounded to bf16, f32 sums (as torch in bf16).
        case bf16
        /// Q·Kᵀ from int8 queries (per row) and int8 keys less their mean (per key) on VNNI; the
        /// softmax in f32; P·V in fp16 where the CPU has AVX512-FP16 and heads are 128 wide or a
        /// multiple (summed in fp16 over 64 keys at most, then in f32), in bf16 otherwise.
        case int8Scores
    }

    /// For tests: whether products of few rows on packed weights run Tether's GEMV (true, the
    /// default) or oneDNN's own kernel.
    static func allowGEMV(_ allowed: Bool) { tk_dnnl_allow_gemv(allowed ? 1 : 0) }

    /// Whether f32 FMAs stand in for the bf16 dot product (true): products of many rows on packed
    /// bf16 weights on Tether's f32-FMA kernel instead of oneDNN's bf16 products (two, hi + lo, for
    /// f32), the GEMV's rows past one pass on its FMA form, bf16 attention on FMAs; nil: the faster
    /// on this CPU for each precision, measured once (the default).
    static func setProductsOnFMA(_ onFMA: Bool?) { tk_dnnl_set_products_on_fma(onFMA.map { $0 ? 1 : 0 } ?? -1) }
    static func productsOnFMA(_ precision: ComputeOptions.Precision) -> Bool {
        tk_dnnl_products_on_fma(precision == .f32 ? 1 : 0) != 0
    }

    /// For tests: whether int8-score attention may run P·V in fp16 (AVX512-FP16) or must use bf16.
    static func allowFP16Values(_ allowed: Bool) { tk_attention_allow_fp16(allowed ? 1 : 0) }

    /// For tests: the widest SIMD the engine's own C kernels (attention's exp, norms, rotary,
    /// SwiGLU) may use: 0 portable C, 1 AVX2, 2 AVX-512, each where the CPU has it.
    static func limitSIMD(_ level: Int) { tk_limit_simd(Int32(level)) }

    /// Scaled dot-product attention for one sequence.
    /// q: (mq × nH·hd), k/v: (mk × nKV·hd), each row `qStride` (`kvStride`) floats after the one
    /// before (default: packed) from `qOffset` (`kOffset`, `vOffset`), so q, k and v may be
    /// columns of one fused matrix. Query i may see keys 0...(i + causalOffset) when `causal`,
    /// all keys otherwise. Query head h reads KV head h / (nH / nKV). Tiled with an online softmax
    /// over the compute pool (attention.c): no mq × mk matrix is made. `precision` (see
    /// `AttentionPrecision`) applies where the CPU and head size allow it and more than 8 queries
    /// share the keys' packing (a decoding step or a speculative check runs in f32).
    static func attention(
        q: [Float], qOffset: Int = 0, qStride: Int? = nil, mq: Int,
        k keys: [Float], kOffset: Int = 0, v values: [Float], vOffset: Int = 0, kvStride: Int? = nil, mk: Int,
        heads nH: Int, kvHeads nKV: Int, headDim hd: Int,
        causal: Bool, causalOffset: Int = 0, precision: AttentionPrecision = .f32
    ) throws(InferenceError) -> [Float] {
        let qs = qStride ?? nH * hd, kvs = kvStride ?? nKV * hd
        precondition(nH % nKV == 0 && mq >= 0 && mk >= 0, "attention: \(nH) heads over \(nKV) KV heads")
        precondition(mq == 0 || qOffset + (mq - 1) * qs + nH * hd <= q.count, "attention: \(q.count) query floats are not \(mq) rows")
        precondition(
            mk == 0 || (kOffset + (mk - 1) * kvs + nKV * hd <= keys.count && vOffset + (mk - 1) * kvs + nKV * hd <= values.count),
            "attention: keys or values shorter than \(mk) rows")
        var status: Int32 = 0
        // Every row is written (a query that sees no key gets zeros), so the output is not zeroed first.
        let out = written(mq * nH * hd) { ob in
            q.withUnsafeBufferPointer { qp in
                keys.withUnsafeBufferPointer { kp in
                    values.withUnsafeBufferPointer { vp in
                        guard let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress else {
                            ob.initialize(repeating: 0, count: mq * nH * hd)  // no keys: nothing to attend to
                            return
                        }
                        let args = (Int32(nH), Int32(nKV), Int32(hd), Int32(causal ? 1 : 0))
                        if precision != .f32, mq > 8 {
                            status = tk_attention_bf16(
                                qb + qOffset, mq, qs, kb + kOffset, vb + vOffset, mk, kvs, args.0, args.1, args.2, args.3,
                                causalOffset, ob, nH * hd, precision == .int8Scores ? 1 : 0)
                            if status != 0 { return }
                        }
                        status = tk_attention(
                            qb + qOffset, mq, qs, kb + kOffset, vb + vOffset, mk, kvs, args.0, args.1, args.2, args.3,
                            causalOffset, ob, nH * hd)
                    }
                }
            }
        }
        if status < 0 {
            throw .outOfMemory("attention could not allocate its scratch (~160 KB a thread) for \(mq) queries over \(mk) keys")
        }
        return out
    }
}
