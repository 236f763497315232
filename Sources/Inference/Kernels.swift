internal import COpenBLAS
import Foundation

/// Row-major activations are plain `[Float]` with explicit row counts; weights are `Weight`
/// views (memory-mapped f32, or f16/bf16 converted tile by tile into a scratch buffer).
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

    /// C (m × n, leading dim ldc) = A (m × k) · Bᵀ, B being n × k.
    static func gemm(
        _ a: UnsafePointer<Float>, m: Int, k: Int, _ b: UnsafePointer<Float>, n: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 1 {
            cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(k), 1, b, blasint(k), a, 1, 0, c, 1)
        } else {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k),
                1, a, blasint(k), b, blasint(k), 0, c, blasint(ldc))
        }
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

    /// Scaled dot-product attention for one sequence.
    /// q: (mq × nH·hd), k/v: (mk × nKV·hd). Query i may see keys 0...(i + causalOffset) when
    /// `causal`, all keys otherwise. Query head h reads KV head h / (nH / nKV).
    static func attention(
        q: [Float], mq: Int, k keys: [Float], v values: [Float], mk: Int,
        heads nH: Int, kvHeads nKV: Int, headDim hd: Int,
        causal: Bool, causalOffset: Int = 0
    ) -> [Float] {
        var out = [Float](repeating: 0, count: mq * nH * hd)
        let group = nH / nKV
        let scale = 1 / Float(hd).squareRoot()
        let qStride = nH * hd, kStride = nKV * hd
        let block = max(1, min(mq, 256))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * mk)
        defer { scores.deallocate() }
        q.withUnsafeBufferPointer { qp in
            keys.withUnsafeBufferPointer { kp in
                values.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer { op in
                        guard let qb = qp.baseAddress, let ob = op.baseAddress, let k = kp.baseAddress, let v = vp.baseAddress,
                            kp.count >= mk * kStride, vp.count >= mk * kStride
                        else { return }
                        for h in 0..<nH {
                            let kvh = h / group
                            var i0 = 0
                            while i0 < mq {
                                let rows = min(block, mq - i0)
                                // scores = Q_h[i0..] · K_hᵀ
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasTrans, blasint(rows), blasint(mk), blasint(hd),
                                    scale, qb + i0 * qStride + h * hd, blasint(qStride),
                                    k + kvh * hd, blasint(kStride), 0, scores, blasint(mk))
                                for r in 0..<rows {
                                    let row = scores + r * mk
                                    let visible = causal ? min(mk, i0 + r + causalOffset + 1) : mk
                                    var mx = -Float.infinity
                                    for j in 0..<visible where row[j] > mx { mx = row[j] }
                                    var sum: Float = 0
                                    for j in 0..<visible { let e = expf(row[j] - mx); row[j] = e; sum += e }
                                    let inv = 1 / sum
                                    for j in 0..<visible { row[j] *= inv }
                                    for j in visible..<mk { row[j] = 0 }
                                }
                                // out_h[i0..] = P · V_h
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(rows), blasint(hd), blasint(mk),
                                    1, scores, blasint(mk), v + kvh * hd, blasint(kStride), 0,
                                    ob + i0 * qStride + h * hd, blasint(qStride))
                                i0 += rows
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
