import Foundation
import Imaging
import Basics

/// `Glm4vImageProcessor` (PIL backend): smart resize, bicubic resampling by Imaging (Pillow's,
/// pass order included), rescale, CLIP normalization, patchify in merge-block order.
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

    public init(
        minPixels: Int = 112 * 112, maxPixels: Int = 28 * 28 * 15000, patchSize: Int = 14,
        temporalPatchSize: Int = 2, mergeSize: Int = 2,
        mean: [Float] = [0.48145466, 0.4578275, 0.40821073],
        std: [Float] = [0.26862954, 0.26130258, 0.27577711], rescaleFactor: Float = 1 / 255
    ) {
        self.minPixels = minPixels
        self.maxPixels = maxPixels
        self.patchSize = patchSize
        self.temporalPatchSize = temporalPatchSize
        self.mergeSize = mergeSize
        self.mean = mean
        self.std = std
        self.rescaleFactor = rescaleFactor
    }

    /// This processor with a budget of `pixels` per image as the user counts them (height ×
    /// width after resizing; `maxPixels` counts t·h·w with t = the temporal patch size): fewer
    /// image tokens, a faster step, less detail. Below the checkpoint's own minimum is refused.
    public func limited(toPixels pixels: Int) throws(InferenceError) -> ImageProcessor {
        let smallest = (minPixels + temporalPatchSize - 1) / temporalPatchSize
        guard pixels >= smallest else {
            throw InferenceError.invalidConfig(
                "a budget of \(pixels) pixels per image is below the checkpoint's minimum of \(smallest) (preprocessor_config.json)")
        }
        var p = self
        p.maxPixels = pixels * temporalPatchSize
        return p
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

    /// Resizes, normalizes and patchifies one image. Transparency is dropped first (the colour
    /// channels are kept as they are), as transformers' `convert("RGB")` does.
    public func process(_ image: Image) throws -> ProcessedImage {
        guard image.width * image.height <= maxInputPixels else {
            throw InferenceError.invalidImage(
                "the image is \(image.width)×\(image.height) (\(image.width * image.height) pixels), over the input limit of \(maxInputPixels) pixels; scale it down first")
        }
        guard image.width >= patchSize, image.height >= patchSize else {
            throw InferenceError.invalidImage(
                "the image is \(image.width)×\(image.height); both sides must be at least \(patchSize) pixels (one patch)")
        }
        let (th, tw) = try targetSize(height: image.height, width: image.width)
        let resized: Image
        do {
            resized = try Self.opaque(image).resized(width: tw, height: th, filter: .bicubic)
        } catch {
            throw InferenceError.invalidImage("resizing the \(image.width)×\(image.height) image to \(tw)×\(th) failed: \(error)")
        }
        return patchify(resized)
    }

    /// `image` with every alpha set to 255, so that resizing treats it as RGB (no premultiplying).
    static func opaque(_ image: Image) -> Image {
        if image.isOpaque { return image }
        var copy = image
        let (width, height, stride) = (image.width, image.height, image.stride)
        copy.withUnsafeMutableBytes { raw in
            for y in 0..<height {
                var i = y * stride + 3
                for _ in 0..<width {
                    raw[i] = 255
                    i += 4
                }
            }
        }
        return copy
    }

    /// Rescale, normalize, and cut an image (sides multiples of `factor`) into patch rows.
    func patchify(_ image: Image) -> ProcessedImage {
        let (height, width, stride) = (image.height, image.width, image.stride)
        let rgb = image.bytes
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
                                    let v = lut[c][Int(rgb[y * stride + x * 4 + c])]
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
        return ProcessedImage(
            pixelValues: out, gridTHW: (1, gh, gw), patchElements: rowLen,
            resizedHeight: height, resizedWidth: width, mergeSize: m)
    }
}
