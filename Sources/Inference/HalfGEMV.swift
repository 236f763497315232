internal import CKernels
import Foundation

/// y (m × n) = x (m × k) · Wᵀ for 16-bit (bf16/f16) W and few rows of x: each weight row is
/// converted in registers (C kernel) and used for all m inputs, so the weights stream from
/// memory once per call. Rows are split over the compute pool.
enum HalfGEMV {
    /// False when the tensor's data is not 2-byte aligned (then callers take the convert path).
    static func canRun(_ w: Weight) -> Bool {
        (w.dtype == .bf16 || w.dtype == .f16) && Int(bitPattern: w.data) % 2 == 0
    }

    static func run(x: UnsafePointer<Float>, m: Int, k: Int, w: Weight, y: UnsafeMutablePointer<Float>) {
        tk_gemv_half_parallel(w.data.assumingMemoryBound(to: UInt16.self), w.dtype == .bf16 ? 1 : 0, k, x, m, y, w.rows)
    }
}
