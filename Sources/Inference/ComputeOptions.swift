internal import CKernels

/// How the engine multiplies matrices. Parity with transformers (f32 activations on bf16 weights)
/// is the default; `bf16` rounds activations to bf16 for each product, as torch does in bf16, at
/// about twice the prefill speed (docs/model.md).
public struct ComputeOptions: Sendable, Equatable {
    public enum Precision: String, Sendable, CaseIterable {
        /// Activations carried at f32 accuracy: each product runs as two bf16 products (hi + lo).
        case f32
        /// Activations rounded to bf16 for each product: one bf16 product.
        case bf16
    }

    public var precision: Precision
    /// Use oneDNN's bf16 matmul where the CPU has one (AVX-512 BF16, AMX, AVX2); false, or a
    /// machine without it, multiplies with OpenBLAS on weights converted to f32 tile by tile.
    public var oneDNN: Bool

    public init(precision: Precision = .f32, oneDNN: Bool = true) {
        self.precision = precision
        self.oneDNN = oneDNN
    }

    /// What the matrix kernels found on this machine: "oneDNN brg:avx512_core_bf16", or why
    /// oneDNN is not used.
    public static var matrixKernel: String { String(cString: tk_dnnl_status()) }

    /// Threads for the engine's work from now on: the compute pool's and oneDNN's team
    /// (default: every core).
    public static func setThreads(_ threads: Int) {
        tk_dnnl_set_threads(Int32(threads))
        tk_pool_set_threads(Int32(threads))
    }
}
