import Basics
import Imaging
import Testing
@testable import Inference

@Suite struct ImageProcessorTests {
    let processor: ImageProcessor
    init() throws { processor = try ImageProcessor.load(directory: Fixture.tiny) }

    @Test(arguments: ["exact", "upscale", "downscale", "small", "wide"])
    func matchesTransformersPILBackend(name: String) throws {
        let out = try processor.process(Fixture.rgbaImage(name))
        let grid = Fixture.ints("image.\(name).grid_thw")
        #expect([out.gridTHW.t, out.gridTHW.h, out.gridTHW.w] == grid)
        let ref = Fixture.floats("image.\(name).pixel_values")
        #expect(out.pixelValues.count == ref.count)
        #expect(relativeError(out.pixelValues, ref) < 1e-5, "image \(name)")
        #expect(out.tokenCount == grid.reduce(1, *) / 4)
    }

    /// Values from transformers' smart_resize on real phone screens (research note §4.1).
    @Test func smartResizeOnPhoneScreens() throws {
        var p = ImageProcessor(minPixels: 12544, maxPixels: 9_633_792)
        #expect(try p.targetSize(height: 2400, width: 1080) == (2408, 1092))
        #expect(try p.targetSize(height: 2340, width: 1080) == (2352, 1092))
        #expect(try p.targetSize(height: 1920, width: 1080) == (1932, 1092))
        #expect(try p.targetSize(height: 2778, width: 1284) == (2772, 1288))
        p.maxPixels = 5_000_000
        #expect(try p.targetSize(height: 2400, width: 1080) == (2352, 1036))
        // round half to even: 42/28 = 1.5 → 2, 70/28 = 2.5 → 2
        #expect(try ImageProcessor(minPixels: 1, maxPixels: 1 << 30).targetSize(height: 42, width: 70) == (56, 56))
    }

    /// `--max-pixels N`: the budget counts the resized screen's h × w; sizes from transformers'
    /// smart_resize (image_processing_pil_glm4v, max_pixels = 2·N) on a 1080×2400 screen.
    @Test func aPixelBudgetResizesAsTransformersDoes() throws {
        let p = ImageProcessor(minPixels: 12544, maxPixels: 9_633_792)
        let expected: [(budget: Int, size: (Int, Int), tokens: Int)] = [
            (1_000_000, (1484, 644), 1219), (500_000, (1036, 448), 592), (250_000, (728, 308), 286), (47040, (308, 140), 55)
        ]
        for e in expected {
            let limited = try p.limited(toPixels: e.budget)
            let size = try limited.targetSize(height: 2400, width: 1080)
            #expect(size == e.size, "budget \(e.budget)")
            #expect(size.height * size.width <= e.budget)
            #expect((size.height / 14) * (size.width / 14) / 4 == e.tokens)
        }
        // Any budget: within it, multiples of 28, for screens of any shape (seeded, so a failure repeats).
        var rng = SplitMix64(seed: 0x5c2e_e11)
        for _ in 0..<200 {
            let budget = Int.random(in: 6272...5_000_000, using: &rng)
            let h = Int.random(in: 28...4000, using: &rng), w = Int.random(in: 28...4000, using: &rng)
            guard max(h, w) / min(h, w) < 200 else { continue }
            let size = try p.limited(toPixels: budget).targetSize(height: h, width: w)
            #expect(size.height * size.width <= max(budget, 28 * 28), "\(w)×\(h) in \(budget)")
            #expect(size.height % 28 == 0 && size.width % 28 == 0)
        }
        #expect(throws: InferenceError.self) { try p.limited(toPixels: 6271) }
    }

    @Test func tinyImageIsAnError() {
        #expect(throws: InferenceError.self) {
            try processor.process(Image(width: 1, height: 1, fill: .black))
        }
    }

    @Test func hugeImageIsAnErrorBeforeTouchingPixels() {
        #expect {
            try processor.process(Image(width: 10000, height: 10000, fill: .black))
        } throws: { error in
            guard case let .invalidImage(message) = error as? InferenceError else { return false }
            return message.contains("10000×10000")
        }
    }

    /// transformers converts to RGB first: alpha is dropped and the colours kept as they are,
    /// where resizing an RGBA image would premultiply and bleed transparent colours.
    @Test func transparencyIsDroppedBeforeResizing() throws {
        let opaque = Fixture.rgbaImage("downscale")
        var translucent = opaque
        translucent.withUnsafeMutableBytes { raw in
            for i in Swift.stride(from: 3, to: raw.count, by: 4) { raw[i] = UInt8(truncatingIfNeeded: i / 4 * 37) }
        }
        #expect(!translucent.isOpaque)
        let expected = try processor.process(opaque).pixelValues
        #expect(try processor.process(translucent).pixelValues == expected)
    }

    @Test func extremeAspectRatioIsAnError() {
        #expect(throws: InferenceError.self) { try processor.targetSize(height: 28, width: 28 * 201) }
    }
}
