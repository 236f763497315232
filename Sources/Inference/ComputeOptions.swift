internal import CKernels

/// How the engine multiplies matrices. Parity with transformers (f32 activations on bf16 weights)
/// is the default; `bf16` rounds activations to bf16 for each product, as torch does in bf16, at
/// about twice the prefill speed (docs/model.md).
public struct ComputeOptions: Sendable, Equatable {
    public enum Precision: String, Sendable, CaseIterable {
        /// Activations carried at f32 accuracy: each product runs as two bf16 products (hi + lo),
        /// or as f32 FMAs where this CPU's bf16 dot product is slow (`products(_:)`).
        case f32
        /// Activations rounded to bf16 for each product: one bf16 product, or f32 FMAs of the
        /// rounded values (the same numbers) where this CPU's bf16 dot product is slow.
        case bf16
    }

    /// Weights stored for the products in fewer bits than the checkpoint's.
    public enum Quantization: String, Sendable, CaseIterable {
        /// int8 per output channel (symmetric), activations int8 per row at each product (VNNI):
        /// every matrix of the decoder, `lm_head` and the vision tower.
        case int8
        /// int8 as above for the decoder and `lm_head` only; the vision tower keeps bf16 weights.
        case int8Text = "int8-text"

        /// What the vision tower's weights become (nil: they stay bf16).
        var vision: Quantization? { self == .int8 ? .int8 : nil }
        /// What the decoder's and `lm_head`'s weights become.
        var text: Quantization { .int8 }
    }

    public var precision: Precision
    /// nil: the checkpoint's bf16 weights as they are.
    public var quantization: Quantization?
    /// Use oneDNN's bf16 matmul where the CPU has one (AVX-512 BF16, AMX, AVX2); false, or a
    /// machine without it, multiplies with OpenBLAS on weights converted to f32 tile by tile.
    public var oneDNN: Bool

    public init(precision: Precision = .f32, quantization: Quantization? = nil, oneDNN: Bool = true) {
        self.precision = precision
        self.quantization = quantization
        self.oneDNN = oneDNN
    }

    /// What the matrix kernels found on this machine: "oneDNN brg:avx512_core_bf16", or why
    /// oneDNN is not used.
    public static var matrixKernel: String { String(cString: tk_dnnl_status()) }

    /// How products of many rows run here in `precision`: on oneDNN's bf16 kernel (f32 as two
    /// bf16 products, hi + lo) or, where this CPU's bf16 dot product is slow against its f32 FMA
    /// (measured once), on Tether's f32-FMA kernel reading the packed bf16 weights.
    public static func products(_ precision: Precision) -> String {
        guard oneDNNAvailable else { return "f32 sgemm (OpenBLAS) on weights converted tile by tile" }
        if Kernels.productsOnFMA(precision) {
            let inputs = precision == .f32 ? "f32 activations" : "activations rounded to bf16"
            return "f32 FMAs on the packed bf16 weights, \(inputs) (this CPU's bf16 dot product is slow)"
        }
        return precision == .f32 ? "two bf16 products (hi + lo) on oneDNN's kernel" : "oneDNN's bf16 kernel"
    }

    /// True when oneDNN is there with a kernel for this CPU (needed for `quantization`).
    public static var oneDNNAvailable: Bool { tk_dnnl_available() != 0 }

    /// Refuses options this machine cannot honour (int8 without oneDNN), saying why.
    public func checked() throws -> ComputeOptions {
        if quantization != nil, !(oneDNN && Self.oneDNNAvailable) {
            throw InferenceError.invalidRequest(
                "int8 weights need oneDNN's VNNI kernels, which are not available here: \(Self.matrixKernel)")
        }
        return self
    }

    /// Threads for the engine's work from now on: the compute pool's and oneDNN's team
    /// (default: every core).
    public static func setThreads(_ threads: Int) {
        tk_dnnl_set_threads(Int32(threads))
        tk_pool_set_threads(Int32(threads))
    }
}
