import Foundation
import Testing
@testable import Inference
import Basics

/// oneDNN's bf16 matmul on packed weights (PackedMatrix) against a product in doubles, and the
/// OpenBLAS path it replaces.
@Suite struct PackedMatrixTests {
    /// True on CPUs with AVX-512 BF16 and libdnnl.so.2 installed (this machine, CI): there
    /// oneDNN must be found, not silently skipped.
    static let expectOneDNN: Bool = {
        let library = ["/usr/lib/x86_64-linux-gnu/libdnnl.so.2", "/usr/lib/libdnnl.so.2"]
            .contains { FileManager.default.fileExists(atPath: $0) }
        return expectAVX512BF16 && library
    }()

    /// The CPU has AVX-512 BF16 (its bf16 dot product).
    static let expectAVX512BF16: Bool = {
        ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains("avx512_bf16")
    }()

    /// The CPU has AVX-512 BF16 and VNNI (attention's int8 scores).
    static let expectVNNIScores: Bool = {
        expectAVX512BF16 && ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains("avx512_vnni")
    }()

    /// The CPU has AVX512-FP16 (attention's fp16 P·V with int8 scores).
    static let expectFP16: Bool = {
        expectVNNIScores && ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains("avx512_fp16")
    }()

    let kernels = KernelTests()

    func input(rows m: Int, columns k: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(m * k)).map { _ in Float(Int(rng.next() % 200_001) - 100_000) / 37_000 }
    }

    /// x · W by Tether's GEMV and by oneDNN's own kernel, on the same packed weights.
    func gemvAndOneDNN(_ x: [Float], rows m: Int, _ w: Weight) -> (gemv: [Float], onednn: [Float]) {
        let gemv = Kernels.linear(x, rows: m, w)
        Kernels.allowGEMV(false)
        defer { Kernels.allowGEMV(true) }
        return (gemv, Kernels.linear(x, rows: m, w))
    }

    func roundedToBF16(_ x: [Float]) -> [Float] {
        x.map { v in
            var u = v.bitPattern
            u &+= 0x7fff &+ ((u >> 16) & 1)
            return Float(bitPattern: u & 0xffff_0000)
        }
    }

    /// (Skipped where the CPU has no AVX-512 BF16 or libdnnl.so.2 is missing: the fallback runs.)
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN)) func oneDNNIsFoundWhereTheCPUHasBF16() throws {
        #expect(ComputeOptions.matrixKernel.hasPrefix("oneDNN "), "\(ComputeOptions.matrixKernel)")
        let (w, _) = kernels.weight(.bf16, rows: 64, cols: 96, seed: 3)
        let packed = try #require(PackedMatrix(w, precision: .f32))
        #expect(packed.bytes >= 64 * 96 * 2)
        #expect(!packed.implementation(rows: 300).hasPrefix("ref"), "\(packed.implementation(rows: 300))")
    }

    /// Rows 1…32 run stacked (hi and lo in one product), more rows as two products that add up.
    @Test(arguments: [1, 3, 12, 32, 33, 300])
    func f32PrecisionMatchesAProductInDoubles(rows m: Int) throws {
        let n = 37, k = 83  // not multiples of any kernel's block
        let (w, wf) = kernels.weight(.bf16, rows: n, cols: k, seed: 5)
        let x = input(rows: m, columns: k, seed: UInt64(m))
        let packed = w.packed(for: ComputeOptions(precision: .f32))
        if Self.expectOneDNN { #expect(packed.packed != nil) }
        let y = Kernels.linear(x, rows: m, packed)
        let reference = kernels.naive(x, m: m, wf, n: n, k: k)
        #expect(relativeError(y, reference) < 1e-5)
        // The OpenBLAS path gives the same numbers.
        let plain = w.packed(for: ComputeOptions(oneDNN: false))
        #expect(plain.packed == nil)
        #expect(relativeError(y, Kernels.linear(x, rows: m, plain)) < 1e-5)
    }

    /// Products of 1…8 rows on packed bf16 weights run Tether's GEMV on oneDNN's layout, in one of
    /// two forms by the CPU's rates (forced both ways here): on the bf16 dot product (one pass over
    /// the weights per 4 rows, 2 when split) — the same numbers as oneDNN's own kernel but for the
    /// order of the sums — or on f32 FMAs (8 rows a pass, x unsplit) — the product in doubles
    /// within f32's rounding, so oneDNN's numbers within the split's accuracy; both precisions,
    /// shapes off every block (64 columns, 32 k) and one a few strips wide.
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN), .serialized, arguments: [(37, 83), (200, 300)])
    func fewRowsRunTheGEMVWithOneDNNsNumbers(shape: (n: Int, k: Int)) throws {
        let (w, wf) = kernels.weight(.bf16, rows: shape.n, cols: shape.k, seed: 41)
        defer { Kernels.setProductsOnFMA(nil) }
        for fma in [false, true] {
            Kernels.setProductsOnFMA(fma)
            for precision in ComputeOptions.Precision.allCases {
                let packed = w.packed(for: ComputeOptions(precision: precision))
                #expect(try #require(packed.packed).gemvLayout, "oneDNN chose another layout")
                for m in 1...8 {
                    let x = input(rows: m, columns: shape.k, seed: UInt64(m + 50))
                    let (gemv, onednn) = gemvAndOneDNN(x, rows: m, packed)
                    let tolerance: Float = fma && precision == .f32 ? 1e-5 : 1e-6
                    #expect(relativeError(gemv, onednn) < tolerance, "\(precision) \(m) rows, FMA \(fma)")
                    let reference = kernels.naive(precision == .bf16 ? roundedToBF16(x) : x, m: m, wf, n: shape.n, k: shape.k)
                    #expect(relativeError(gemv, reference) < 1e-5, "\(precision) \(m) rows, FMA \(fma)")
                }
            }
        }
        // The two forms ran: 8 rows in f32 are not the same numbers.
        let x = input(rows: 8, columns: shape.k, seed: 58), packed = w.packed(for: ComputeOptions(precision: .f32))
        Kernels.setProductsOnFMA(true)
        let onFMA = Kernels.linear(x, rows: 8, packed)
        Kernels.setProductsOnFMA(false)
        #expect(relativeError(onFMA, Kernels.linear(x, rows: 8, packed)) > 0)
    }

    /// Products of many rows take one of two paths by the CPU's measured rates: oneDNN's bf16
    /// kernel (two products, hi + lo, for f32) or Tether's f32-FMA kernel on the packed strips.
    /// Both give the product in doubles — of x for f32, of x rounded to bf16 for bf16 — within
    /// f32's rounding, and so each other's numbers. Shapes off the kernel's blocks: 1000 columns
    /// (a last task of 40), k = 1500 (padded to 1504; a last k block of 236 pairs), rows short
    /// of a panel of 12, whole panels only, and both.
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN), .serialized, arguments: [9, 300, 301])
    func bothProductPathsGiveTheProductInDoubles(rows m: Int) throws {
        let n = 1000, k = 1500
        let (w, wf) = kernels.weight(.bf16, rows: n, cols: k, seed: 47)
        let x = input(rows: m, columns: k, seed: UInt64(m + 90))
        defer { Kernels.setProductsOnFMA(nil) }
        for precision in ComputeOptions.Precision.allCases {
            let packed = w.packed(for: ComputeOptions(precision: precision))
            #expect(try #require(packed.packed).gemvLayout)
            Kernels.setProductsOnFMA(true)
            let fma = Kernels.linear(x, rows: m, packed)
            Kernels.setProductsOnFMA(false)
            let onednn = Kernels.linear(x, rows: m, packed)
            let reference = kernels.naive(precision == .f32 ? x : roundedToBF16(x), m: m, wf, n: n, k: k)
            #expect(relativeError(fma, reference) < 1e-5, "\(precision)")
            #expect(relativeError(onednn, reference) < 1e-5, "\(precision)")
            #expect(relativeError(fma, onednn) > 0, "\(precision): the two paths ran")
        }
    }

    /// The f32-FMA kernel copies x a chunk of rows at a time (~32 MB of panels): at k = 13700 a
    /// chunk is 600 rows, so 640 rows take two, and the second chunk's rows land where they belong.
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN), .serialized)
    func theFMAKernelsRowChunksEachLandInPlace() throws {
        let m = 640, n = 40, k = 13700
        let (w, wf) = kernels.weight(.bf16, rows: n, cols: k, seed: 51)
        let x = input(rows: m, columns: k, seed: 52)
        defer { Kernels.setProductsOnFMA(nil) }
        Kernels.setProductsOnFMA(true)
        let y = Kernels.linear(x, rows: m, w.packed(for: ComputeOptions(precision: .f32)))
        let reference = kernels.naive(x, m: m, wf, n: n, k: k)
        #expect(relativeError(Array(y[0..<(600 * n)]), Array(reference[0..<(600 * n)])) < 1e-5)
        #expect(relativeError(Array(y[(600 * n)...]), Array(reference[(600 * n)...])) < 1e-5)
    }

    /// Products of 1…8 rows on int8 weights run Tether's GEMV on oneDNN's BA16a64b4a layout (the
    /// rows quantized as oneDNN's path quantizes them, its s8s8 compensation read after the
    /// weights): the same integer sums as oneDNN's kernel, so the same numbers but for rounding.
    @Test(.enabled(if: PackedMatrixTests.expectVNNIScores), .serialized, arguments: [(37, 83), (200, 300)])
    func fewRowsOnInt8WeightsRunTheGEMVWithOneDNNsNumbers(shape: (n: Int, k: Int)) throws {
        let (w, wf) = kernels.weight(.bf16, rows: shape.n, cols: shape.k, seed: 43)
        let packed = w.packed(for: ComputeOptions(quantization: .int8))
        #expect(try #require(packed.packed).gemvLayout, "oneDNN chose another layout")
        for m in 1...8 {
            let x = input(rows: m, columns: shape.k, seed: UInt64(m + 70))
            let (gemv, onednn) = gemvAndOneDNN(x, rows: m, packed)
            #expect(relativeError(gemv, onednn) < 1e-6, "\(m) rows: \(relativeError(gemv, onednn))")
            let error = relativeError(gemv, kernels.naive(x, m: m, wf, n: shape.n, k: shape.k))
            #expect(error > 1e-5 && error < 2e-2, "\(m) rows: \(error)")
        }
    }

    /// bf16 precision is the product of the inputs rounded to bf16, computed exactly in f32 —
    /// what torch computes in bf16 — and so measurably off the f32 product.
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN), arguments: [2, 300])
    func bf16PrecisionIsTheProductOfRoundedInputs(rows m: Int) throws {
        let n = 45, k = 130
        let (w, wf) = kernels.weight(.bf16, rows: n, cols: k, seed: 8)
        let x = input(rows: m, columns: k, seed: 11)
        let y = Kernels.linear(x, rows: m, w.packed(for: ComputeOptions(precision: .bf16)))
        #expect(relativeError(y, kernels.naive(roundedToBF16(x), m: m, wf, n: n, k: k)) < 1e-5)
        let error = relativeError(y, kernels.naive(x, m: m, wf, n: n, k: k))
        #expect(error > 1e-5 && error < 1e-2, "relative error \(error)")
    }

    /// int8 weights (per output channel) and int8 rows of x (per row): within quantization's
    /// error of the exact product, in fewer bytes than bf16 (half, but for the kernel's padding).
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN), arguments: [1, 7, 300])
    func int8WeightsStayWithinQuantizationError(rows m: Int) throws {
        let n = 45, k = 130
        let (w, wf) = kernels.weight(.bf16, rows: n, cols: k, seed: 21)
        let x = input(rows: m, columns: k, seed: 23)
        let int8 = w.packed(for: ComputeOptions(quantization: .int8))
        let packed = try #require(int8.packed)
        let bf16 = try #require(w.packed(for: ComputeOptions()).packed)
        #expect(packed.quantization == .int8 && packed.bytes < bf16.bytes, "\(packed.bytes) vs \(bf16.bytes) bytes")
        let error = relativeError(Kernels.linear(x, rows: m, int8), kernels.naive(x, m: m, wf, n: n, k: k))
        #expect(error > 1e-5 && error < 2e-2, "relative error \(error)")
    }

    /// int8 quantizes the decoder, `lm_head` and the vision tower; int8-text leaves the vision
    /// tower bf16.
    @Test(.enabled(if: PackedMatrixTests.expectOneDNN), arguments: ComputeOptions.Quantization.allCases)
    func int8QuantizesTheDecoderAndTheVisionTowerUnlessTextOnly(_ quantization: ComputeOptions.Quantization) throws {
        let model = try GLM4VModel(directory: Fixture.tinyBF16, compute: ComputeOptions(quantization: quantization))
        #expect(model.text.layers.allSatisfy { $0.q.packed?.quantization == .int8 && $0.down.packed?.quantization == .int8 })
        #expect(model.text.lmHead.packed?.quantization == .int8)
        let visionInt8 = quantization == .int8
        #expect(
            model.vision.blocks.allSatisfy {
                $0.qkv.packed != nil && ($0.qkv.packed?.quantization == .int8) == visionInt8
                    && ($0.down.packed?.quantization == .int8) == visionInt8
            })
    }

    /// int8 without oneDNN is refused with the reason, not run as something else.
    @Test func int8WithoutOneDNNIsRefused() {
        #expect(throws: InferenceError.self) {
            try GLM4VModel(directory: Fixture.tinyBF16, compute: ComputeOptions(quantization: .int8, oneDNN: false))
        }
    }

    /// A whole model: weights packed at load, the same logits as without oneDNN.
    @Test func aBF16CheckpointIsPackedAtLoadAndGivesTheSameLogits() throws {
        let packed = try GLM4VModel(directory: Fixture.tinyBF16)
        let plain = try GLM4VModel(directory: Fixture.tinyBF16, compute: ComputeOptions(oneDNN: false))
        if Self.expectOneDNN {
            #expect(packed.text.layers.allSatisfy { $0.q.packed != nil && $0.gateUp.packed != nil && $0.down.packed != nil })
            #expect(packed.vision.blocks.allSatisfy { $0.qkv.packed != nil })
            #expect(packed.text.lmHead.packed != nil && packed.text.embed.packed == nil)
        }
        #expect(plain.text.layers.allSatisfy { $0.q.packed == nil })
        let prompt = try ModelTests().prompt()
        let error = relativeError(try packed.promptLogits(prompt), try plain.promptLogits(prompt))
        // Measured 1.3e-5 (summation orders differ); both are within 1e-4 of transformers (ModelTests).
        #expect(error < 5e-5, "relative error \(error)")
    }
}
