internal import CKernels
import Foundation

/// y (m × n) = x (m × k) · Wᵀ for 16-bit (bf16/f16) W and few rows of x: each weight row is
/// converted in registers (C kernel) and used for all m inputs, so the weights stream from
/// memory once per call. Rows are split across the cores.
enum HalfGEMV {
    struct Pointers: @unchecked Sendable {
        let x: UnsafePointer<Float>
        let w: UnsafePointer<UInt16>
        let y: UnsafeMutablePointer<Float>
    }

    static let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// False when the tensor's data is not 2-byte aligned (then callers take the convert path).
    static func canRun(_ w: Weight) -> Bool {
        (w.dtype == .bf16 || w.dtype == .f16) && Int(bitPattern: w.data) % 2 == 0
    }

    static func run(x: UnsafePointer<Float>, m: Int, k: Int, w: Weight, y: UnsafeMutablePointer<Float>) {
        let n = w.rows
        let p = Pointers(x: x, w: w.data.assumingMemoryBound(to: UInt16.self), y: y)
        let bf16: Int32 = w.dtype == .bf16 ? 1 : 0
        let chunks = min(n, threads * 4)
        let per = (n + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let r0 = c * per, r1 = min(n, r0 + per)
            guard r0 < r1 else { return }
            tk_gemv_half(p.w, bf16, k, p.x, m, p.y, n, r0, r1)
        }
    }
}
