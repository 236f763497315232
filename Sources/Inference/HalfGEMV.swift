import Foundation

/// y (m × n) = x (m × k) · Wᵀ for 16-bit (bf16/f16) W and few rows of x: each weight row is
/// converted in registers and used for all m inputs, so the weights stream from memory once per
/// call. Rows are split across the cores.
enum HalfGEMV {
    struct Pointers: @unchecked Sendable {
        let x: UnsafePointer<Float>
        let w: UnsafeRawPointer
        let y: UnsafeMutablePointer<Float>
    }

    static let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    static func run(x: UnsafePointer<Float>, m: Int, k: Int, w: Weight, y: UnsafeMutablePointer<Float>) {
        let n = w.rows
        let p = Pointers(x: x, w: w.data, y: y)
        let bf16 = w.dtype == .bf16
        let chunks = min(n, threads * 8)
        let per = (n + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let r0 = c * per, r1 = min(n, r0 + per)
            guard r0 < r1 else { return }
            for r in r0..<r1 {
                let row = p.w + r * k * 2
                for i in 0..<m {
                    p.y[i * n + r] = bf16 ? dotBF16(row, p.x + i * k, k) : dotF16(row, p.x + i * k, k)
                }
            }
        }
    }

    @inline(__always)
    static func dotBF16(_ w: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ k: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var j = 0
        let xr = UnsafeRawPointer(x)
        while j + 32 <= k {
            let h0 = w.loadUnaligned(fromByteOffset: j * 2, as: SIMD16<UInt16>.self)
            let h1 = w.loadUnaligned(fromByteOffset: j * 2 + 32, as: SIMD16<UInt16>.self)
            let w0 = unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: h0) &<< 16, to: SIMD16<Float>.self)
            let w1 = unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: h1) &<< 16, to: SIMD16<Float>.self)
            acc0.addProduct(w0, xr.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
            acc1.addProduct(w1, xr.loadUnaligned(fromByteOffset: j * 4 + 64, as: SIMD16<Float>.self))
            j += 32
        }
        var s = (acc0 + acc1).sum()
        while j < k {
            let bits = UInt32(w.loadUnaligned(fromByteOffset: j * 2, as: UInt16.self)) << 16
            s += Float(bitPattern: bits) * x[j]
            j += 1
        }
        return s
    }

    @inline(__always)
    static func dotF16(_ w: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ k: Int) -> Float {
        var acc = SIMD16<Float>()
        var j = 0
        let xr = UnsafeRawPointer(x)
        while j + 16 <= k {
            let h = unsafeBitCast(w.loadUnaligned(fromByteOffset: j * 2, as: SIMD16<UInt16>.self), to: SIMD16<Float16>.self)
            acc.addProduct(SIMD16<Float>(h), xr.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
            j += 16
        }
        var s = acc.sum()
        while j < k {
            s += Float(Float16(bitPattern: w.loadUnaligned(fromByteOffset: j * 2, as: UInt16.self))) * x[j]
            j += 1
        }
        return s
    }
}
