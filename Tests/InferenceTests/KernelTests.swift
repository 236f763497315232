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

    /// Attention in doubles, the textbook way: full score rows, softmax, weighted values.
    func naiveAttention(
        q: [Float], mq: Int, k: [Float], v: [Float], mk: Int, heads: Int, kvHeads: Int, hd: Int, causal: Bool, offset: Int
    ) -> [Float] {
        var out = [Float](repeating: 0, count: mq * heads * hd)
        for h in 0..<heads {
            let kvh = h / (heads / kvHeads)
            for i in 0..<mq {
                let visible = causal ? min(mk, i + offset + 1) : mk
                var scores = [Double](repeating: 0, count: visible)
                for j in 0..<visible {
                    var s: Double = 0
                    for d in 0..<hd { s += Double(q[i * heads * hd + h * hd + d]) * Double(k[j * kvHeads * hd + kvh * hd + d]) }
                    scores[j] = s / Double(hd).squareRoot()
                }
                let top = scores.max() ?? 0
                let weights = scores.map { Foundation.exp($0 - top) }
                let total = weights.reduce(0, +)
                for d in 0..<hd {
                    var acc: Double = 0
                    for j in 0..<visible { acc += weights[j] * Double(v[j * kvHeads * hd + kvh * hd + d]) }
                    out[i * heads * hd + h * hd + d] = Float(acc / total)
                }
            }
        }
        return out
    }

    /// Attention of these inputs in any precision, and the textbook's answer in doubles.
    func attentionCase(
        q: [Float], mq: Int, k: [Float], v: [Float], mk: Int, heads: Int, kvHeads: Int, hd: Int, causal: Bool, offset: Int
    ) -> (run: (Kernels.AttentionPrecision) throws -> [Float], reference: [Float]) {
        let run = { (precision: Kernels.AttentionPrecision) throws -> [Float] in
            try Kernels.attention(
                q: q, mq: mq, k: k, v: v, mk: mk, heads: heads, kvHeads: kvHeads, headDim: hd, causal: causal,
                causalOffset: offset, precision: precision)
        }
        let reference = naiveAttention(q: q, mq: mq, k: k, v: v, mk: mk, heads: heads, kvHeads: kvHeads, hd: hd, causal: causal, offset: offset)
        return (run, reference)
    }

    /// The tiled kernel (64 query rows × 512 keys a tile, online softmax) against the textbook
    /// on shapes that cross tile edges: several key tiles, a ragged last block, grouped KV heads,
    /// causal with and without a cached prefix, and scores large enough that a softmax without
    /// its running maximum would overflow.
    @Test(arguments: [
        (mq: 70, mk: 70, causal: true, offset: 0), (mq: 3, mk: 1100, causal: true, offset: 1097),
        (mq: 130, mk: 1100, causal: false, offset: 0), (mq: 1, mk: 513, causal: true, offset: 512)
    ])
    func tiledAttentionMatchesTheTextbook(shape: (mq: Int, mk: Int, causal: Bool, offset: Int)) throws {
        let heads = 4, kvHeads = 2, hd = 24
        var rng = SplitMix64(seed: UInt64(shape.mq * 7 + shape.mk))
        func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 * scale } }
        let q = values(shape.mq * heads * hd, 4), k = values(shape.mk * kvHeads * hd, 4), v = values(shape.mk * kvHeads * hd, 1)
        let out = try Kernels.attention(
            q: q, mq: shape.mq, k: k, v: v, mk: shape.mk, heads: heads, kvHeads: kvHeads, headDim: hd,
            causal: shape.causal, causalOffset: shape.offset)
        let reference = naiveAttention(
            q: q, mq: shape.mq, k: k, v: v, mk: shape.mk, heads: heads, kvHeads: kvHeads, hd: hd, causal: shape.causal,
            offset: shape.offset)
        #expect(relativeError(out, reference) < 1e-5, "\(shape)")
    }

    /// The bf16 kernel (AVX-512 BF16 dot products on packed keys and values) against the
    /// textbook in doubles: within bf16's rounding (inputs and softmax weights to 8 bits of
    /// mantissa), and measurably not the f32 kernel's numbers — so it is the one that ran. With 8
    /// queries or fewer (a decoding step, a speculative check) the f32 kernel runs: packing the
    /// keys would cost more than it saves. Row counts that are not multiples of 4 check the rows
    /// the kernel computes past the block's end. (Skipped on CPUs without AVX-512 BF16.)
    @Test(
        .enabled(if: PackedMatrixTests.expectAVX512BF16),
        arguments: [
            (mq: 70, mk: 70, causal: true, offset: 0), (mq: 130, mk: 1100, causal: false, offset: 0),
            (mq: 1, mk: 1100, causal: true, offset: 1099), (mq: 5, mk: 37, causal: true, offset: 32),
            (mq: 9, mk: 37, causal: true, offset: 28)
        ])
    func bf16AttentionIsTheTextbookWithinRounding(shape: (mq: Int, mk: Int, causal: Bool, offset: Int)) throws {
        let heads = 4, kvHeads = 2, hd = 64
        var rng = SplitMix64(seed: UInt64(shape.mq * 11 + shape.mk))
        func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 * scale } }
        let q = values(shape.mq * heads * hd, 1), k = values(shape.mk * kvHeads * hd, 1), v = values(shape.mk * kvHeads * hd, 1)
        func run(_ bf16: Bool) throws -> [Float] {
            try Kernels.attention(
                q: q, mq: shape.mq, k: k, v: v, mk: shape.mk, heads: heads, kvHeads: kvHeads, headDim: hd,
                causal: shape.causal, causalOffset: shape.offset, precision: bf16 ? .bf16 : .f32)
        }
        let reference = naiveAttention(
            q: q, mq: shape.mq, k: k, v: v, mk: shape.mk, heads: heads, kvHeads: kvHeads, hd: hd, causal: shape.causal,
            offset: shape.offset)
        let error = relativeError(try run(true), reference)
        if shape.mq > 8 {
            #expect(error < 2e-2 && error > 1e-5, "\(shape): relative error \(error)")
        } else {
            #expect(error < 1e-5, "\(shape): relative error \(error) (the f32 kernel should have run)")
        }
        let f32 = try run(false)
        #expect(relativeError(f32, reference) < 1e-5)
    }

    /// Attention on f32 FMAs (AVX-512; more than 8 queries, head sizes of multiples of 32): f32
    /// against the textbook in doubles within f32's rounding, and not the OpenBLAS tiles' numbers
    /// (AVX2's path) — so it ran; bf16 on FMAs against bf16 on the bf16 dot product (the path each
    /// CPU takes by its rates, forced both ways here): the same products, so nearly the same
    /// numbers, both within bf16's rounding of the textbook. Row and key counts
    /// off multiples of 8, 32 and 512 check the padding; causal with a cached prefix too.
    @Test(
        .enabled(if: PackedMatrixTests.expectAVX512BF16), .serialized,
        arguments: [
            (mq: 70, mk: 70, causal: true, offset: 0, hd: 64), (mq: 130, mk: 1100, causal: false, offset: 0, hd: 128),
            (mq: 9, mk: 37, causal: true, offset: 28, hd: 64), (mq: 37, mk: 45, causal: true, offset: 8, hd: 128)
        ])
    func attentionOnFMAsIsTheTextbookWithinRounding(shape: (mq: Int, mk: Int, causal: Bool, offset: Int, hd: Int)) throws {
        let heads = 4, kvHeads = 2, hd = shape.hd
        var rng = SplitMix64(seed: UInt64(shape.mq * 17 + shape.mk))
        func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 * scale } }
        let q = values(shape.mq * heads * hd, 2), k = values(shape.mk * kvHeads * hd, 2), v = values(shape.mk * kvHeads * hd, 1)
        let (run, reference) = attentionCase(
            q: q, mq: shape.mq, k: k, v: v, mk: shape.mk, heads: heads, kvHeads: kvHeads, hd: hd, causal: shape.causal,
            offset: shape.offset)
        let f32 = try run(.f32)
        Kernels.limitSIMD(1)
        defer { Kernels.limitSIMD(2) }
        let tiles = try run(.f32)
        Kernels.limitSIMD(2)
        #expect(relativeError(f32, reference) < 1e-5, "\(shape)")
        #expect(relativeError(tiles, reference) < 1e-5, "\(shape)")
        #expect(relativeError(f32, tiles) > 0, "\(shape): the FMA kernel ran")
        defer { Kernels.setProductsOnFMA(nil) }
        Kernels.setProductsOnFMA(true)
        let bf16FMA = try run(.bf16)
        Kernels.setProductsOnFMA(false)
        let bf16Dot = try run(.bf16)
        let error = relativeError(bf16FMA, reference)
        #expect(error < 2e-2 && error > 1e-5, "\(shape): relative error \(error)")
        // The same products; the scores' sums in another order can tip a few weights of P to the
        // next bf16 value, so the two agree to within a tenth of their distance to the textbook.
        let between = relativeError(bf16FMA, bf16Dot)
        #expect(between < relativeError(bf16Dot, reference) / 10 && between > 0, "\(shape): \(between) apart")
    }

    /// int8 scores (Q·Kᵀ on VNNI from int8 queries and int8 keys less their mean; P·V in fp16
    /// where the CPU has AVX512-FP16 and heads are 128 wide, else bf16) against the textbook in
    /// doubles: within int8's rounding even where every key carries the same large offset (taken
    /// off with the mean, since q·mean moves a query's scores alike), and not the bf16 kernel's
    /// numbers; the fp16 and bf16 P·V both. Row and key counts off multiples of 8, 32 and 64 check
    /// the padding. (Skipped on CPUs without AVX-512 BF16 and VNNI.)
    @Test(
        .enabled(if: PackedMatrixTests.expectVNNIScores), .serialized,
        arguments: [
            (mq: 70, mk: 70, causal: true, offset: 0, fp16: true), (mq: 130, mk: 1100, causal: false, offset: 0, fp16: true),
            (mq: 37, mk: 45, causal: true, offset: 8, fp16: true), (mq: 130, mk: 1100, causal: false, offset: 0, fp16: false),
            (mq: 37, mk: 45, causal: true, offset: 8, fp16: false)
        ])
    func int8ScoresAreTheTextbookWithinRounding(shape: (mq: Int, mk: Int, causal: Bool, offset: Int, fp16: Bool)) throws {
        Kernels.allowFP16Values(shape.fp16)
        defer { Kernels.allowFP16Values(true) }
        let heads = 4, kvHeads = 2, hd = 128
        var rng = SplitMix64(seed: UInt64(shape.mq * 13 + shape.mk))
        func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 * scale } }
        let q = values(shape.mq * heads * hd, 2), v = values(shape.mk * kvHeads * hd, 1)
        // Keys: a shared offset of up to ±8 per dimension on top of ±2 of their own.
        let offset = values(hd, 8)
        let k = values(shape.mk * kvHeads * hd, 2).enumerated().map { $0.element + offset[$0.offset % hd] }
        let (run, reference) = attentionCase(
            q: q, mq: shape.mq, k: k, v: v, mk: shape.mk, heads: heads, kvHeads: kvHeads, hd: hd, causal: shape.causal,
            offset: shape.offset)
        let int8 = try run(.int8Scores), bf16 = try run(.bf16)
        let error = relativeError(int8, reference)
        #expect(error < 3e-2 && error > 1e-5, "\(shape): relative error \(error) (bf16: \(relativeError(bf16, reference)))")
        #expect(relativeError(int8, bf16) > 1e-5, "\(shape): the bf16 kernel ran")
        if shape.fp16 {
            // fp16 P·V (where the CPU has it) is not bf16 P·V's numbers.
            Kernels.allowFP16Values(false)
            let bf16Values = try run(.int8Scores)
            #expect(relativeError(int8, bf16Values) > 0 || !PackedMatrixTests.expectFP16, "\(shape): fp16 P·V did not run")
            print("int8 scores \(shape): error \(error), bf16 P·V \(relativeError(bf16Values, reference)), bf16 \(relativeError(bf16, reference))")
        }
    }

    /// The exp of the softmax in portable C and in AVX2 gives what the widest path gives.
    @Test(.serialized, arguments: [0, 1])
    func narrowerSIMDGivesTheSameAttention(level: Int) throws {
        let heads = 2, hd = 16, m = 90
        var rng = SplitMix64(seed: 77)
        let q = (0..<(m * heads * hd)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 250 }
        let k = q.reversed().map { $0 }, v = q.map { $0 / 3 }
        func run() throws -> [Float] {
            try Kernels.attention(q: q, mq: m, k: k, v: v, mk: m, heads: heads, kvHeads: heads, headDim: hd, causal: true)
        }
        let widest = try run()
        Kernels.limitSIMD(level)
        defer { Kernels.limitSIMD(2) }
        let narrow = try run()
        let reference = naiveAttention(q: q, mq: m, k: k, v: v, mk: m, heads: heads, kvHeads: heads, hd: hd, causal: true, offset: 0)
        #expect(relativeError(narrow, reference) < 1e-5)
        #expect(relativeError(narrow, widest) < 1e-5)
    }

    /// The OpenBLAS fallback shares its columns out over the pool: every column is computed once.
    @Test(arguments: [1, 5, 77])
    func pooledProductsCoverEveryColumn(rows m: Int) {
        let n = 1000, k = 64
        var rng = SplitMix64(seed: UInt64(m))
        let w = (0..<(n * k)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 }
        let x = (0..<(m * k)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 }
        let storage = FloatStorage(count: n * k)
        storage.pointer.update(from: w, count: n * k)
        let weight = Weight(name: "w", shape: [n, k], dtype: .f32, data: UnsafeRawPointer(storage.pointer), owner: storage)
        #expect(relativeError(Kernels.linear(x, rows: m, weight), naive(x, m: m, w, n: n, k: k)) < 1e-5)
    }

    @Test func attentionIsCausal() throws {
        // Two tokens, one head: the first query must ignore the second key entirely.
        let q: [Float] = [1, 0, 1, 0], k: [Float] = [1, 0, 5, 5], v: [Float] = [1, 2, 100, 200]
        let out = try Kernels.attention(q: q, mq: 2, k: k, v: v, mk: 2, heads: 1, kvHeads: 1, headDim: 2, causal: true)
        #expect(out[0] == 1 && out[1] == 2)
        #expect(out[2] > 1 && out[3] > 2)
    }
}
