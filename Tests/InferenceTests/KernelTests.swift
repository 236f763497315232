import Foundation
import Testing
@testable import Inference
import Basics

final class HalfBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt16>
    init(_ values: [UInt16]) {
        pointer = .allocate(capacity: values.count)
        pointer.initialize(from: values, count: values.count)
    }
    deinit { pointer.deallocate() }
}

@Suite struct KernelTests {
    func weight(_ dtype: DType, rows n: Int, cols k: Int, seed: UInt64) -> (Weight, [Float]) {
        var rng = SplitMix64(seed: seed)
        var bits: [UInt16] = []
        for _ in 0..<(n * k) {
            let v = Float(Int(rng.next() % 2001) - 1000) / 300
            bits.append(dtype == .bf16 ? UInt16(v.bitPattern >> 16) : Float16(v).bitPattern)
        }
        let buffer = HalfBuffer(bits)
        let w = Weight(name: "w", shape: [n, k], dtype: dtype, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
        return (w, w.floats())
    }

    func naive(_ x: [Float], m: Int, _ w: [Float], n: Int, k: Int) -> [Float] {
        var y = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for r in 0..<n {
                var s: Double = 0
                for j in 0..<k { s += Double(x[i * k + j]) * Double(w[r * k + j]) }
                y[i * n + r] = Float(s)
            }
        }
        return y
    }

    @Test(arguments: [DType.bf16, .f16], [1, 3, 12])
    func halfPrecisionLinearMatchesNaive(dtype: DType, m: Int) {
        let n = 37, k = 83  // not multiples of the SIMD width
        let (w, wf) = weight(dtype, rows: n, cols: k, seed: 5)
        var rng = SplitMix64(seed: 9)
        let x = (0..<(m * k)).map { _ in Float(Int(rng.next() % 1001) - 500) / 250 }
        let y = Kernels.linear(x, rows: m, w)
        #expect(relativeError(y, naive(x, m: m, wf, n: n, k: k)) < 1e-5)
    }

    @Test func bf16ConversionIsExact() {
        let (w, _) = weight(.bf16, rows: 1, cols: 4, seed: 1)
        let f = w.floats()
        for (i, v) in f.enumerated() {
            let bits = w.data.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
            #expect(v.bitPattern == UInt32(bits) << 16)
        }
    }

    @Test func attentionIsCausal() {
        // Two tokens, one head: the first query must ignore the second key entirely.
        let q: [Float] = [1, 0, 1, 0], k: [Float] = [1, 0, 5, 5], v: [Float] = [1, 2, 100, 200]
        let out = Kernels.attention(q: q, mq: 2, k: k, v: v, mk: 2, heads: 1, kvHeads: 1, headDim: 2, causal: true)
        #expect(out[0] == 1 && out[1] == 2)
        #expect(out[2] > 1 && out[3] > 2)
    }
}
