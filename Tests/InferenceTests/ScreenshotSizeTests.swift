import Basics
import Foundation
import Imaging
import Testing
@testable import Inference

/// The image processor on phone screenshots at their real sizes, against transformers'
/// Glm4vImageProcessorPil (Scripts/make-screenshot-fixtures). The 1 MP cases of portrait
/// screens shrink the height by more than twice what the width loses, so Pillow 13 runs the
/// vertical pass first there: a processor that always ran the horizontal pass first misses them.
@Suite struct ScreenshotSizeTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let width: Int
        let height: Int
        let min_pixels: Int
        let max_pixels: Int
        let grid_thw: [Int]
        let resized_height: Int
        let resized_width: Int
        let count: Int
        let fnv1a: String
        let sum: Double
        let sample_index: [Int]
        let sample_value: [Float]
        var testDescription: String { name }
    }
    struct Document: Decodable {
        let mean: [Float]
        let std: [Float]
        let cases: [Case]
    }

    static let document: Document = {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.directory + "/screenshots.json"))
            return try JSONDecoder().decode(Document.self, from: data)
        } catch {
            preconditionFailure("fixture screenshots.json unreadable: \(error)")
        }
    }()

    @Test func fixtureCoversEveryScreenAtBothBudgets() {
        let names = Set(Self.document.cases.map(\.name))
        for size in ["1080x2400", "1440x3120", "720x1600", "2400x1080"] {
            #expect(names.contains("\(size)-autoglm") && names.contains("\(size)-1mp"), "\(size)")
        }
    }

    @Test(arguments: document.cases)
    func matchesTransformers(_ c: Case) async throws {
        // Seconds of pixel work: on a thread of its own, so parallel suites keep their threads.
        let out = try await ComputeThread.run { _ in
            try ImageProcessor(minPixels: c.min_pixels, maxPixels: c.max_pixels)
                .process(Screenshot.synthetic(width: c.width, height: c.height))
        }
        #expect([out.gridTHW.t, out.gridTHW.h, out.gridTHW.w] == c.grid_thw)
        #expect(out.resizedHeight == c.resized_height && out.resizedWidth == c.resized_width)
        try #require(out.pixelValues.count == c.count)
        var worst: Float = 0
        for (i, v) in zip(c.sample_index, c.sample_value) { worst = max(worst, abs(out.pixelValues[i] - v)) }
        #expect(worst < 1e-5, "largest difference over the sampled values")
        let digest = Self.digest(out.pixelValues, patchElements: out.patchElements)
        #expect(String(digest, radix: 16).leftPadded(to: 16) == c.fnv1a, "8-bit values differ from Pillow's")
    }

    /// FNV-1a over the 8-bit value each float encodes, as the generator computes it.
    static func digest(_ values: [Float], patchElements: Int) -> UInt64 {
        let perChannel = patchElements / 3
        let mean = document.mean.map(Double.init), std = document.std.map(Double.init)
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for (i, v) in values.enumerated() {
            let c = (i % patchElements) / perChannel
            let byte = UInt8(clamping: Int(((Double(v) * std[c] + mean[c]) * 255).rounded()))
            h = (h ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return h
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
