import Foundation

/// An RGBA8 image: `width × height` pixels, 4 bytes each, rows top to bottom, no padding.
public struct RGBAImage: Sendable {
    public let width: Int
    public let height: Int
    public let bytes: [UInt8]

    public init(width: Int, height: Int, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// An opaque image from tightly packed RGB bytes.
    public init(width: Int, height: Int, rgb: [UInt8]) {
        self.width = width
        self.height = height
        var b = [UInt8](repeating: 255, count: width * height * 4)
        let n = min(width * height, rgb.count / 3)
        for i in 0..<n {
            b[4 * i] = rgb[3 * i]; b[4 * i + 1] = rgb[3 * i + 1]; b[4 * i + 2] = rgb[3 * i + 2]
        }
        bytes = b
    }
}

/// The pre-processed form of one image: patch rows for the vision tower and their grid.
public struct ProcessedImage: Sendable {
    /// `patchCount × patchElements` floats, rows in merge-block order.
    public let pixelValues: [Float]
    /// (t, h, w) in patches.
    public let gridTHW: (t: Int, h: Int, w: Int)
    public let patchElements: Int
    /// Size the image was resized to, in pixels.
    public let resizedHeight: Int
    public let resizedWidth: Int
    public let mergeSize: Int

    public var patchCount: Int { gridTHW.t * gridTHW.h * gridTHW.w }
    /// `<|image|>` tokens this image occupies in the prompt.
    public var tokenCount: Int { patchCount / (mergeSize * mergeSize) }
}

/// `Glm4vImageProcessor` (PIL backend): smart resize, Pillow-exact bicubic resampling, rescale,
/// CLIP normalization, patchify in merge-block order.
public struct ImageProcessor: Sendable {
    public var minPixels: Int
    public var maxPixels: Int
    public var patchSize: Int
    public var temporalPatchSize: Int
    public var mergeSize: Int
    public var mean: [Float]
    public var std: [Float]
    public var rescaleFactor: Float
    /// Largest input accepted, in pixels (a guard against absurd buffers, not a model limit).
    /// Smaller images are resized to the model's pixel budget as transformers does; images
    /// with a side under one patch are refused rather than blown up from nothing.
    public var maxInputPixels: Int = 64_000_000

    public var factor: Int { patchSize * mergeSize }

    public init(minPixels: Int = 112 * 112, maxPixels: Int = 28 * 28 * 15000, patchSize: Int = 14,
                temporalPatchSize: Int = 2, mergeSize: Int = 2,
                mean: [Float] = [0.48145466, 0.4578275, 0.40821073],
                std: [Float] = [0.26862954, 0.26130258, 0.27577711], rescaleFactor: Float = 1 / 255) {
        self.minPixels = minPixels
        self.maxPixels = maxPixels
        self.patchSize = patchSize
        self.temporalPatchSize = temporalPatchSize
        self.mergeSize = mergeSize
        self.mean = mean
        self.std = std
        self.rescaleFactor = rescaleFactor
    }

    /// Reads preprocessor_config.json; absent keys keep the class defaults.
    public static func load(directory: String) throws -> ImageProcessor {
        var p = ImageProcessor()
        let path = directory + "/preprocessor_config.json"
        guard FileManager.default.fileExists(atPath: path) else { return p }
        let j = try JSON.load(path)
        if let size = j["size"] {
            if let v = size["shortest_edge"]?.int ?? size["min_pixels"]?.int { p.minPixels = v }
            if let v = size["longest_edge"]?.int ?? size["max_pixels"]?.int { p.maxPixels = v }
        }
        if let v = j["min_pixels"]?.int { p.minPixels = v }
        if let v = j["max_pixels"]?.int { p.maxPixels = v }
        if let v = j["patch_size"]?.int { p.patchSize = v }
        if let v = j["temporal_patch_size"]?.int { p.temporalPatchSize = v }
        if let v = j["merge_size"]?.int { p.mergeSize = v }
        if let v = j["rescale_factor"]?.double { p.rescaleFactor = Float(v) }
        if let a = j["image_mean"]?.array?.compactMap(\.double), a.count == 3 { p.mean = a.map { Float($0) } }
        if let a = j["image_std"]?.array?.compactMap(\.double), a.count == 3 { p.std = a.map { Float($0) } }
        guard p.patchSize > 0, p.mergeSize > 0, p.temporalPatchSize > 0, p.minPixels > 0, p.maxPixels >= p.minPixels else {
            throw InferenceError.invalidJSON(path: path, reason: "patch/merge sizes must be positive and longest_edge ≥ shortest_edge")
        }
        return p
    }

    /// `smart_resize`: the (height, width) the image is resized to. Both are multiples of
    /// `factor`; t·h·w (t = temporal patch size) lies within [minPixels, maxPixels].
    public func targetSize(height: Int, width: Int) throws -> (height: Int, width: Int) {
        guard height > 0, width > 0 else { throw InferenceError.invalidImage("the image is \(width)×\(height); it has no pixels") }
        var h = Double(height), w = Double(width)
        let f = Double(factor)
        if h < f || w < f {
            let s = max(f / h, f / w)
            h = (h * s).rounded(.towardZero)
            w = (w * s).rounded(.towardZero)
        }
        guard max(h, w) / min(h, w) <= 200 else {
            throw InferenceError.invalidImage("aspect ratio \(max(h, w) / min(h, w)) of a \(width)×\(height) image exceeds 200")
        }
        let t = Double(temporalPatchSize)
        var hb = (h / f).rounded(.toNearestOrEven) * f
        var wb = (w / f).rounded(.toNearestOrEven) * f
        let tb = (t / t).rounded(.toNearestOrEven) * t
        if tb * hb * wb > Double(maxPixels) {
            let beta = ((t * h * w) / Double(maxPixels)).squareRoot()
            hb = max(f, (h / beta / f).rounded(.down) * f)
            wb = max(f, (w / beta / f).rounded(.down) * f)
        } else if tb * hb * wb < Double(minPixels) {
            let beta = (Double(minPixels) / (t * h * w)).squareRoot()
            hb = (h * beta / f).rounded(.up) * f
            wb = (w * beta / f).rounded(.up) * f
        }
        return (Int(hb), Int(wb))
    }

    /// Resizes, normalizes and patchifies one image.
    public func process(_ image: RGBAImage) throws -> ProcessedImage {
        guard image.width > 0, image.height > 0 else {
            throw InferenceError.invalidImage("the image is \(image.width)×\(image.height); it has no pixels")
        }
        guard image.width * image.height <= maxInputPixels else {
            throw InferenceError.invalidImage(
                "the image is \(image.width)×\(image.height) (\(image.width * image.height) pixels), over the input limit of \(maxInputPixels) pixels; scale it down first")
        }
        guard image.width >= patchSize, image.height >= patchSize else {
            throw InferenceError.invalidImage(
                "the image is \(image.width)×\(image.height); both sides must be at least \(patchSize) pixels (one patch)")
        }
        guard image.bytes.count == image.width * image.height * 4 else {
            throw InferenceError.invalidImage(
                "a \(image.width)×\(image.height) RGBA image needs \(image.width * image.height * 4) bytes, got \(image.bytes.count)")
        }
        let (th, tw) = try targetSize(height: image.height, width: image.width)
        // RGBA → RGB (alpha dropped, as PIL's convert("RGB") does), planar.
        var rgb = [UInt8](repeating: 0, count: image.width * image.height * 3)
        image.bytes.withUnsafeBufferPointer { src in
            for i in 0..<(image.width * image.height) {
                rgb[3 * i] = src[4 * i]; rgb[3 * i + 1] = src[4 * i + 1]; rgb[3 * i + 2] = src[4 * i + 2]
            }
        }
        let resized = (th == image.height && tw == image.width)
            ? rgb : PillowBicubic.resize(rgb: rgb, width: image.width, height: image.height, toWidth: tw, toHeight: th)
        return patchify(rgb: resized, height: th, width: tw)
    }

    /// Rescale, normalize, and cut an RGB image (sides multiples of `factor`) into patch rows.
    func patchify(rgb: [UInt8], height: Int, width: Int) -> ProcessedImage {
        let p = patchSize, m = mergeSize, tp = temporalPatchSize
        let gh = height / p, gw = width / p
        let rowLen = 3 * tp * p * p
        var lut = [[Float]](repeating: [Float](repeating: 0, count: 256), count: 3)
        for c in 0..<3 {
            for v in 0..<256 { lut[c][v] = (Float(v) * rescaleFactor - mean[c]) / std[c] }
        }
        var out = [Float](repeating: 0, count: gh * gw * rowLen)
        var k = 0
        for bh in 0..<(gh / m) {
            for bw in 0..<(gw / m) {
                for mh in 0..<m {
                    for mw in 0..<m {
                        let row = bh * m + mh, col = bw * m + mw
                        let base = k * rowLen
                        for c in 0..<3 {
                            for py in 0..<p {
                                let y = row * p + py
                                for px in 0..<p {
                                    let x = col * p + px
                                    let v = lut[c][Int(rgb[(y * width + x) * 3 + c])]
                                    for t in 0..<tp {
                                        out[base + ((c * tp + t) * p + py) * p + px] = v
                                    }
                                }
                            }
                        }
                        k += 1
                    }
                }
            }
        }
        return ProcessedImage(pixelValues: out, gridTHW: (1, gh, gw), patchElements: rowLen,
                              resizedHeight: height, resizedWidth: width, mergeSize: m)
    }
}

/// Pillow's `Image.resize(BICUBIC)` for 8-bit RGB: separable convolution with a = −0.5, support
/// widened by the scale when shrinking, 22-bit fixed-point coefficients, horizontal pass first.
enum PillowBicubic {
    static let precisionBits = 32 - 8 - 2

    static func filter(_ x0: Double) -> Double {
        let a = -0.5
        let x = abs(x0)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// For each output index: first input index and fixed-point weights.
    static func coefficients(inSize: Int, outSize: Int) -> (bounds: [(Int, Int)], kernel: [Int32], ksize: Int) {
        let scale = Double(inSize) / Double(outSize)
        let filterscale = max(scale, 1)
        let support = 2.0 * filterscale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        var bounds: [(Int, Int)] = []
        var kernel = [Int32](repeating: 0, count: outSize * ksize)
        var pre = [Double](repeating: 0, count: ksize)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1.0 / filterscale
            var xmin = Int((center - support + 0.5).rounded(.towardZero))
            if xmin < 0 { xmin = 0 }
            var xmax = Int((center + support + 0.5).rounded(.towardZero))
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var ww = 0.0
            for x in 0..<xmax {
                let w = filter((Double(x + xmin) - center + 0.5) * ss)
                pre[x] = w
                ww += w
            }
            for x in 0..<xmax {
                let v = ww != 0 ? pre[x] / ww : pre[x]
                let scaled = v * Double(1 << precisionBits)
                kernel[xx * ksize + x] = Int32((v < 0 ? scaled - 0.5 : scaled + 0.5).rounded(.towardZero))
            }
            bounds.append((xmin, xmax))
        }
        return (bounds, kernel, ksize)
    }

    @inline(__always) static func clip8(_ v: Int) -> UInt8 {
        let s = v >> precisionBits
        return s < 0 ? 0 : (s > 255 ? 255 : UInt8(s))
    }

    static func resize(rgb: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
        var img = rgb, w = width
        if toWidth != width {
            let (bounds, k, ks) = coefficients(inSize: width, outSize: toWidth)
            var out = [UInt8](repeating: 0, count: toWidth * height * 3)
            for y in 0..<height {
                for xx in 0..<toWidth {
                    let (xmin, xmax) = bounds[xx]
                    for c in 0..<3 {
                        var ss = 1 << (precisionBits - 1)
                        for x in 0..<xmax { ss += Int(img[(y * w + xmin + x) * 3 + c]) * Int(k[xx * ks + x]) }
                        out[(y * toWidth + xx) * 3 + c] = clip8(ss)
                    }
                }
            }
            img = out
            w = toWidth
        }
        if toHeight != height {
            let (bounds, k, ks) = coefficients(inSize: height, outSize: toHeight)
            var out = [UInt8](repeating: 0, count: w * toHeight * 3)
            for yy in 0..<toHeight {
                let (ymin, ymax) = bounds[yy]
                for x in 0..<w {
                    for c in 0..<3 {
                        var ss = 1 << (precisionBits - 1)
                        for y in 0..<ymax { ss += Int(img[((ymin + y) * w + x) * 3 + c]) * Int(k[yy * ks + y]) }
                        out[(yy * w + x) * 3 + c] = clip8(ss)
                    }
                }
            }
            img = out
        }
        return img
    }
}
