import Foundation
import Testing
@testable import Inference
import Basics

/// The row-wise kernels (elementwise.c) against their textbook formulas in doubles, on every
/// instruction set this CPU has (portable C, AVX2, AVX-512), on widths that leave a tail past the
/// 16-float vectors and on enough rows that the pool shares them out.
@Suite(.serialized) struct ElementwiseKernelTests {
    static let levels = [0, 1, 2]

    func values(_ count: Int, seed: UInt64, scale: Float = 3) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(Int(rng.next() % 20001) - 10000) / 10000 * scale }
    }

    func atLevel<T>(_ level: Int, _ body: () -> T) -> T {
        Kernels.limitSIMD(level)
        defer { Kernels.limitSIMD(2) }
        return body()
    }

    func expectClose(_ a: [Float], _ b: [Double], _ what: String, tolerance: Double = 2e-6) {
        #expect(a.count == b.count, "\(what): \(a.count) values, expected \(b.count)")
        var worst = 0.0
        for (x, y) in zip(a, b) { worst = max(worst, abs(Double(x) - y) / max(1, abs(y))) }
        #expect(worst < tolerance, "\(what): error \(worst)")
    }

    @Test(arguments: levels, [(rows: 3, width: 37), (rows: 900, width: 100)])
    func norms(level: Int, shape: (rows: Int, width: Int)) {
        let (m, d) = shape
        let x = values(m * d, seed: 1), w = values(d, seed: 2), b = values(d, seed: 3)
        let (rms, ln) = atLevel(level) {
            (Kernels.rmsNorm(x, width: d, weight: w, eps: 1e-5), Kernels.layerNorm(x, width: d, weight: w, bias: b, eps: 1e-5))
        }
        var rmsRef: [Double] = [], lnRef: [Double] = []
        for r in 0..<m {
            let row = x[(r * d)..<((r + 1) * d)].map(Double.init)
            let inv = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(d) + 1e-5).squareRoot()
            rmsRef += row.enumerated().map { Double(w[$0.offset]) * $0.element * inv }
            let mean = row.reduce(0, +) / Double(d)
            let std = (row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d) + 1e-5).squareRoot()
            lnRef += row.enumerated().map { ($0.element - mean) / std * Double(w[$0.offset]) + Double(b[$0.offset]) }
        }
        expectClose(rms, rmsRef, "rmsNorm at level \(level)")
        expectClose(ln, lnRef, "layerNorm at level \(level)")
    }

    /// SwiGLU over a fused gate_up matrix (gate then up in each row), with inputs far into both
    /// tails of the exponential; GELU (erf) and the adds.
    @Test(arguments: levels)
    func activationsAndAdds(level: Int) {
        let m = 300, width = 133
        var gu = values(m * 2 * width, seed: 4, scale: 12)
        gu[0] = -100
        gu[1] = 100
        gu[2] = -87.5
        let bias = values(width, seed: 5)
        let (h, gelu, sum, biased) = atLevel(level) {
            let h = Kernels.siluMul(gate: gu, gateStride: 2 * width, up: gu, upOffset: width, upStride: 2 * width, rows: m, width: width)
            var gelu = h
            Kernels.geluErf(&gelu)
            var sum = h
            Kernels.add(&sum, gelu)
            var biased = h
            Kernels.addBias(&biased, rows: m, bias)
            return (h, gelu, sum, biased)
        }
        var ref: [Double] = []
        for i in 0..<m {
            for j in 0..<width {
                let g = Double(gu[i * 2 * width + j]), u = Double(gu[i * 2 * width + width + j])
                ref.append(u * g / (1 + exp(-g)))
            }
        }
        expectClose(h, ref, "siluMul at level \(level)")
        #expect(h[0] <= 0 && h[0] > -1e-30, "silu(−100) is a tiny negative number, got \(h[0])")
        expectClose(gelu, h.map { 0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot())) }, "geluErf")
        expectClose(sum, zip(h, gelu).map { Double($0) + Double($1) }, "add")
        expectClose(biased, h.indices.map { Double(h[$0]) + Double(bias[$0 % width]) }, "addBias")
    }

    /// Rotate-half on q and k inside one fused qkv matrix (the vision tower's) leaves v alone;
    /// interleaved pairs rotate only the first 2n floats of each head (the decoder's).
    @Test(arguments: levels)
    func rotaries(level: Int) {
        let m = 200, heads = 3, hd = 40, d = heads * hd
        let qkv = values(m * 3 * d, seed: 6)
        let angles = values(m * hd / 2, seed: 7, scale: 6)
        let cos = angles.map { cosf($0) }, sin = angles.map { sinf($0) }
        let pairs = 12
        let (half, interleaved) = atLevel(level) {
            var half = qkv
            Kernels.rotate(&half, offset: 0, rows: m, stride: 3 * d, heads: heads, headDim: hd, .half, cos: cos, sin: sin)
            Kernels.rotate(&half, offset: d, rows: m, stride: 3 * d, heads: heads, headDim: hd, .half, cos: cos, sin: sin)
            var interleaved = qkv
            let pc = (0..<m).flatMap { i in (0..<pairs).map { cos[i * hd / 2 + $0] } }
            let ps = (0..<m).flatMap { i in (0..<pairs).map { sin[i * hd / 2 + $0] } }
            Kernels.rotate(&interleaved, rows: m, stride: 3 * d, heads: heads, headDim: hd, .pairs(pairs), cos: pc, sin: ps)
            return (half, interleaved)
        }
        var halfRef = qkv.map(Double.init), pairRef = qkv.map(Double.init)
        for i in 0..<m {
            for part in 0..<2 {
                for h in 0..<heads {
                    let o = i * 3 * d + part * d + h * hd
                    for j in 0..<(hd / 2) {
                        let c = Double(cos[i * hd / 2 + j]), s = Double(sin[i * hd / 2 + j])
                        let a = Double(qkv[o + j]), b = Double(qkv[o + j + hd / 2])
                        halfRef[o + j] = a * c - b * s
                        halfRef[o + j + hd / 2] = b * c + a * s
                    }
                }
            }
            for h in 0..<heads {
                let o = i * 3 * d + h * hd
                for j in 0..<pairs {
                    let c = Double(cos[i * hd / 2 + j]), s = Double(sin[i * hd / 2 + j])
                    let a = Double(qkv[o + 2 * j]), b = Double(qkv[o + 2 * j + 1])
                    pairRef[o + 2 * j] = a * c - b * s
                    pairRef[o + 2 * j + 1] = b * c + a * s
                }
            }
        }
        expectClose(half, halfRef, "rotate-half at level \(level)")
        expectClose(interleaved, pairRef, "interleaved pairs at level \(level)")
    }

    /// The vision tower's merge gather and its resampled position embedding (16 weighted table
    /// rows added to each patch).
    @Test(arguments: levels)
    func gatherAndWeightedRows(level: Int) {
        let groups = 150, merge = 4, width = 70, taps = 16, tableRows = 30
        let x = values(groups * merge * width, seed: 8)
        let table = values(tableRows * width, seed: 9)
        var rng = SplitMix64(seed: 10)
        let rows = (0..<(groups * taps)).map { _ in Int32(rng.next() % UInt64(tableRows)) }
        let weights = values(groups * taps, seed: 11, scale: 1)
        let base = values(groups * width, seed: 12)
        let (gathered, added) = atLevel(level) {
            var added = base
            Kernels.addWeightedRows(&added, width: width, table: table, rows: rows, weights: weights, taps: taps)
            return (Kernels.mergeGather(x, groups: groups, of: merge, width: width), added)
        }
        var gatherRef = [Double](repeating: .nan, count: x.count)
        for t in 0..<groups {
            for q in 0..<merge {
                for c in 0..<width { gatherRef[t * width * merge + c * merge + q] = Double(x[(t * merge + q) * width + c]) }
            }
        }
        expectClose(gathered, gatherRef, "mergeGather at level \(level)", tolerance: 1e-12)
        var addRef = base.map(Double.init)
        for r in 0..<groups {
            for t in 0..<taps {
                let w = Double(weights[r * taps + t]), row = Int(rows[r * taps + t])
                for c in 0..<width { addRef[r * width + c] += w * Double(table[row * width + c]) }
            }
        }
        expectClose(added, addRef, "addWeightedRows at level \(level)", tolerance: 1e-5)
    }
}
