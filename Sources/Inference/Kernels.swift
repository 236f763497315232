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
        var y = [Float](repeating: 0, count: m * n)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
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
        if let bias {
            for i in 0..<m { for j in 0..<n { y[i * n + j] += bias[j] } }
        }
        return y
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
        var y = x
        let rows = x.count / d
        for r in 0..<rows {
            var ss: Float = 0
            for j in 0..<d { let v = x[r * d + j]; ss += v * v }
            let inv = 1 / (ss / Float(d) + eps).squareRoot()
            for j in 0..<d { y[r * d + j] = weight[j] * (x[r * d + j] * inv) }
        }
        return y
    }

    /// LayerNorm over rows of width `d` with weight and bias.
    static func layerNorm(_ x: [Float], width d: Int, weight: [Float], bias: [Float], eps: Float) -> [Float] {
        var y = x
        let rows = x.count / d
        for r in 0..<rows {
            var mean: Float = 0
            for j in 0..<d { mean += x[r * d + j] }
            mean /= Float(d)
            var v: Float = 0
            for j in 0..<d { let t = x[r * d + j] - mean; v += t * t }
            let inv = 1 / (v / Float(d) + eps).squareRoot()
            for j in 0..<d { y[r * d + j] = (x[r * d + j] - mean) * inv * weight[j] + bias[j] }
        }
        return y
    }

    @inline(__always) static func silu(_ v: Float) -> Float { v / (1 + expf(-v)) }
    @inline(__always) static func geluErf(_ v: Float) -> Float { 0.5 * v * (1 + erff(v * Float(0.7071067811865476))) }

    static func add(_ a: inout [Float], _ b: [Float]) {
        for i in 0..<a.count { a[i] += b[i] }
    }

    /// For tests: the widest SIMD the attention's exp may use (0 portable C, 1 AVX2, 2 AVX-512,
    /// each where the CPU has it).
    static func limitAttentionSIMD(_ level: Int) { tk_attention_limit_simd(Int32(level)) }

    /// Scaled dot-product attention for one sequence.
    /// q: (mq × nH·hd), k/v: (mk × nKV·hd). Query i may see keys 0...(i + causalOffset) when
    /// `causal`, all keys otherwise. Query head h reads KV head h / (nH / nKV). Tiled with an
    /// online softmax over the compute pool (attention.c): no mq × mk matrix is made. `bf16`:
    /// inputs and softmax weights rounded to bf16 for the AVX-512 BF16 kernel where the CPU and
    /// head size allow it (as torch in bf16), f32 otherwise.
    static func attention(
        q: [Float], mq: Int, k keys: [Float], v values: [Float], mk: Int,
        heads nH: Int, kvHeads nKV: Int, headDim hd: Int,
        causal: Bool, causalOffset: Int = 0, bf16: Bool = false
    ) -> [Float] {
        precondition(nH % nKV == 0 && q.count >= mq * nH * hd, "attention: \(nH) heads over \(nKV) KV heads, \(q.count) query floats")
        precondition(keys.count >= mk * nKV * hd && values.count >= mk * nKV * hd, "attention: keys or values shorter than \(mk) rows")
        var out = [Float](repeating: 0, count: mq * nH * hd)
        q.withUnsafeBufferPointer { qp in
            keys.withUnsafeBufferPointer { kp in
                values.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer { op in
                        guard let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress, let ob = op.baseAddress
                        else { return }
                        let args = (Int32(nH), Int32(nKV), Int32(hd), Int32(causal ? 1 : 0))
                        if bf16,
                            tk_attention_bf16(
                                qb, mq, nH * hd, kb, vb, mk, nKV * hd, args.0, args.1, args.2, args.3, causalOffset, ob, nH * hd)
                                != 0
                        {
                            return
                        }
                        tk_attention(
                            qb, mq, nH * hd, kb, vb, mk, nKV * hd, args.0, args.1, args.2, args.3, causalOffset, ob, nH * hd)
                    }
                }
            }
        }
        return out
    }
}
