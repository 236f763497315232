internal import CKernels
import Foundation

import Basics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element types a safetensors file may hold.
public enum DType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    public var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    var isFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// A read-only memory map of a whole file. Unmapped when the last reference goes.
final class MappedFile: @unchecked Sendable {
    let path: String
    let base: UnsafeRawPointer?
    let size: Int

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw InferenceError.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw InferenceError.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        size = Int(st.st_size)
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw InferenceError.fileUnreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    /// Drops this mapping's pages of `bytes` at `start` (whole pages inside the range) from memory:
    /// they are clean copies of the file and come back from it if read again.
    func release(_ start: UnsafeRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let from = (Int(bitPattern: start) + page - 1) / page * page
        let to = (Int(bitPattern: start) + bytes) / page * page
        guard page > 0, to > from, let p = UnsafeMutableRawPointer(bitPattern: from) else { return }
        madvise(p, to - from, Int32(MADV_DONTNEED))
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }
}

/// Owned, 64-byte aligned storage for converted weights.
final class FloatStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }
    deinit { pointer.deallocate() }
}

/// One tensor in a checkpoint: a typed view into a memory-mapped file (or owned storage).
public struct Weight: @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let dtype: DType
    let data: UnsafeRawPointer
    let owner: AnyObject
    /// The matrix reordered for oneDNN's kernel (`packed(for:)`), used by `Kernels.linear`.
    var packed: PackedMatrix?

    init(name: String, shape: [Int], dtype: DType, data: UnsafeRawPointer, owner: AnyObject) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.data = data
        self.owner = owner
    }

    public var count: Int { shape.reduce(1, *) }
    /// Rows when viewed as a matrix: the first dimension.
    public var rows: Int { shape.first ?? 1 }
    /// Columns when viewed as a matrix: the product of the other dimensions.
    public var columns: Int { shape.count <= 1 ? (shape.first ?? 1) : shape.dropFirst().reduce(1, *) }

    /// A pointer to the f32 data when the tensor is stored as aligned f32 (no copy needed).
    var f32Pointer: UnsafePointer<Float>? {
        guard dtype == .f32, Int(bitPattern: data) % 4 == 0 else { return nil }
        return data.assumingMemoryBound(to: Float.self)
    }

    /// Converts `count` elements starting at element `start` to f32 into `out`.
    func convert(start: Int, count n: Int, into out: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32:
            memcpy(out, data + start * 4, n * 4)
        case .bf16, .f16:
            let src = data + start * 2
            if Int(bitPattern: src) % 2 == 0 {
                tk_half_to_f32(src.assumingMemoryBound(to: UInt16.self), dtype == .bf16 ? 1 : 0, out, n)
            } else {
                for i in 0..<n {
                    let h = src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                    out[i] = dtype == .bf16 ? Float(bitPattern: UInt32(h) << 16) : Float(Float16(bitPattern: h))
                }
            }
        default:
            for i in 0..<n { out[i] = 0 }
        }
    }

    /// The whole tensor as f32 values.
    public func floats() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buf, initialized in
            if let base = buf.baseAddress { convert(start: 0, count: count, into: base) }
            initialized = count
        }
    }

    /// One row (of `columns` elements) as f32 into `out`.
    func row(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        convert(start: r * columns, count: columns, into: out)
    }

    /// A copy of this tensor converted to f32 in owned aligned storage.
    func materializedF32() -> Weight {
        if f32Pointer != nil { return self }
        let storage = FloatStorage(count: count)
        convert(start: 0, count: count, into: storage.pointer)
        return Weight(name: name, shape: shape, dtype: .f32, data: UnsafeRawPointer(storage.pointer), owner: storage)
    }
}

/// One safetensors file: its header parsed and its data memory-mapped.
public struct SafetensorsFile: Sendable {
    public let path: String
    public let metadata: [String: String]
    public let weights: [String: Weight]

    public init(path: String) throws {
        self.path = path
        let file = try MappedFile(path: path)
        func bad(_ reason: String) -> InferenceError { .invalidSafetensors(path: path, reason: reason) }
        guard file.size >= 8, let base = file.base else {
            throw bad("the file is \(file.size) bytes, shorter than the 8-byte header length; it is truncated or empty")
        }
        let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        guard headerLength > 1, headerLength <= file.size - 8, headerLength < 100_000_000 else {
            throw bad("the header claims \(headerLength) bytes but the file has \(file.size - 8) after the length; it is truncated or not safetensors")
        }
        let headerData = Data(bytes: base + 8, count: headerLength)
        let header = try JSON.parse(headerData, path: path + " (header)")
        guard let entries = header.object else { throw bad("the header is not a JSON object") }
        let dataStart = 8 + headerLength
        let dataSize = file.size - dataStart
        var meta: [String: String] = [:]
        var weights: [String: Weight] = [:]
        for (name, entry) in entries {
            if name == "__metadata__" {
                for (k, v) in entry.object ?? [:] { if let s = v.string { meta[k] = s } }
                continue
            }
            guard let dtypeName = entry["dtype"]?.string else { throw bad("tensor '\(name)' has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw InferenceError.unsupportedDType(name: name, dtype: dtypeName)
            }
            guard let shapeValues = entry["shape"]?.array else { throw bad("tensor '\(name)' has no shape") }
            var shape: [Int] = []
            for v in shapeValues {
                guard let d = v.int, d >= 0 else { throw bad("tensor '\(name)' has an invalid shape") }
                shape.append(d)
            }
            guard let offsets = entry["data_offsets"]?.array, offsets.count == 2,
                let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, end >= begin
            else { throw bad("tensor '\(name)' has invalid data_offsets") }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (m, o) = acc.0.multipliedReportingOverflow(by: d)
                return (m, acc.1 || o)
            }
            guard !overflow, count * dtype.byteSize == end - begin else {
                throw bad("tensor '\(name)' has shape \(shape) of \(dtypeName) but \(end - begin) bytes of data")
            }
            guard end <= dataSize else {
                throw bad("tensor '\(name)' ends at byte \(dataStart + end) but the file has only \(file.size) bytes; the file is truncated (re-download it)")
            }
            weights[name] = Weight(name: name, shape: shape, dtype: dtype, data: base + dataStart + begin, owner: file)
        }
        self.metadata = meta
        self.weights = weights
    }
}

/// All tensors of a checkpoint directory: `model.safetensors`, or the shards listed in
/// `model.safetensors.index.json`.
public struct WeightStore: Sendable {
    public let directory: String
    public let weights: [String: Weight]

    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        let indexPath = directory + "/model.safetensors.index.json"
        var files: [String] = []
        if fm.fileExists(atPath: indexPath) {
            let index = try JSON.load(indexPath)
            guard let map = index["weight_map"]?.object else {
                throw InferenceError.invalidJSON(path: indexPath, reason: "no \"weight_map\" object")
            }
            var seen = Set<String>()
            for v in map.values {
                guard let f = v.string else {
                    throw InferenceError.invalidJSON(path: indexPath, reason: "weight_map values must be file names")
                }
                if seen.insert(f).inserted { files.append(f) }
            }
            files.sort()
        } else if fm.fileExists(atPath: directory + "/model.safetensors") {
            files = ["model.safetensors"]
        } else {
            let listing = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            files = listing.filter { $0.hasSuffix(".safetensors") }.sorted()
            if files.isEmpty {
                throw InferenceError.fileUnreadable(
                    path: directory, reason: "no model.safetensors, model.safetensors.index.json or *.safetensors file")
            }
        }
        var all: [String: Weight] = [:]
        for f in files {
            let file = try SafetensorsFile(path: directory + "/" + f)
            for (k, v) in file.weights { all[k] = v }
        }
        weights = all
    }

    public init(weights: [String: Weight], directory: String = "<memory>") {
        self.directory = directory
        self.weights = weights
    }

    /// A weight matrix for `Kernels.linear`: `tensor(name, shape:)`, packed for `options`.
    func matrix(_ name: String, shape: [Int], _ options: ComputeOptions) throws -> Weight {
        try tensor(name, shape: shape).packed(for: options)
    }

    /// The tensor called `name` (or a known alias), checked against `shape` and a float dtype.

    public func tensor(_ name: String, shape: [Int]) throws -> Weight {
        let candidates = WeightStore.aliases(of: name)
        guard let w = candidates.lazy.compactMap({ weights[$0] }).first else {
            throw InferenceError.missingTensor(name: name, searched: directory)
        }
        guard w.dtype.isFloat else { throw InferenceError.unsupportedDType(name: w.name, dtype: w.dtype.rawValue) }
        guard w.shape == shape else { throw InferenceError.shapeMismatch(name: w.name, expected: shape, actual: w.shape) }
        return w
    }

    /// Older conversions stored the decoder under `model.layers.*`; transformers 5 calls it
    /// `model.language_model.layers.*`. vLLM-style names are accepted as well.
    static func aliases(of name: String) -> [String] {
        var out = [name]
        let lm = "model.language_model."
        if name.hasPrefix(lm) {
            let rest = String(name.dropFirst(lm.count))
            out.append("model." + rest)
            out.append("language_model.model." + rest)
        }
        let vis = "model.visual."
        if name.hasPrefix(vis) { out.append("visual." + name.dropFirst(vis.count)) }
        if name == "lm_head.weight" { out.append("language_model.lm_head.weight") }
        return out
    }
}
