internal import CKernels
import Foundation

/// A bf16 weight matrix (n × k) reordered once, at load, into the layout of oneDNN's matmul
/// kernel — or quantized to int8 per output channel first — so no product converts or re-packs
/// weights. Owns the packed copy.
final class PackedMatrix: @unchecked Sendable {
    private let handle: OpaquePointer
    let precision: ComputeOptions.Precision
    let quantization: ComputeOptions.Quantization?
    let rows: Int, columns: Int

    /// Nil when the weight is not bf16 or oneDNN is not there (the caller keeps the plain weight).
    init?(_ w: Weight, precision: ComputeOptions.Precision, quantization: ComputeOptions.Quantization? = nil) {
        guard w.dtype == .bf16, Int(bitPattern: w.data) % 2 == 0, tk_dnnl_available() != 0 else { return nil }
        let data = w.data.assumingMemoryBound(to: UInt16.self)
        let packed =
            quantization != nil ? tk_dnnl_pack_s8(data, w.rows, w.columns) : tk_dnnl_pack_bf16(data, w.rows, w.columns)
        guard let handle = packed else { return nil }
        self.handle = handle
        self.precision = precision
        self.quantization = quantization
        rows = w.rows
        columns = w.columns
    }

    deinit { tk_dnnl_free(handle) }

    var bytes: Int { tk_dnnl_packed_bytes(handle) }

    /// Weights (bf16 or int8) in the layout Tether's GEMV reads for products of few rows (decoding).
    var gemvLayout: Bool { tk_dnnl_gemv_layout(handle) != 0 }

    /// The kernel oneDNN runs for `m` rows of input, e.g. "brg:avx512_core_bf16".
    func implementation(rows m: Int) -> String { String(cString: tk_dnnl_implementation(handle, m)) }

    /// y (m × rows) = x (m × columns) · Wᵀ. False when oneDNN failed (out of memory).
    func multiply(_ x: UnsafePointer<Float>, rows m: Int, into y: UnsafeMutablePointer<Float>) -> Bool {
        tk_dnnl_linear(handle, x, m, y, precision == .f32 ? 1 : 0) != 0
    }
}

extension Weight {
    /// This matrix with a packed copy for oneDNN (when `options` allow it and the weight is
    /// bf16); the memory-mapped original is then handed back to the page cache.
    func packed(for options: ComputeOptions) -> Weight {
        guard options.oneDNN,
            let matrix = PackedMatrix(self, precision: options.precision, quantization: options.quantization)
        else { return self }
        var copy = self
        copy.packed = matrix
        if let file = owner as? MappedFile { file.release(data, bytes: count * dtype.byteSize) }
        return copy
    }
}
