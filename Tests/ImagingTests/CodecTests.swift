import Foundation
import TetherTestSupport
import Testing

@testable import Imaging
import Basics

@Suite struct FixtureManifestTests {
    /// Guards the parameterised tests below from passing on an empty list.
    @Test func manifestIsComplete() {
        let m = Fixtures.manifest
        #expect(m.format == 1)
        #expect(m.png.count >= 18)
        #expect(m.jpeg.count >= 7)
        #expect(m.jpeg_encode.count >= 4)
        #expect(m.resize.count >= 40)
        #expect(m.rotate.count == 3)
        #expect(m.crop.count >= 3)
        #expect(m.rectangle.count >= 4)
    }
}

@Suite struct PNGTests {
    /// Every PNG written by Pillow or ImageMagick decodes to exactly Pillow's pixels.
    @Test(arguments: Fixtures.manifest.png)
    func decodesLikePillow(_ entry: Fixtures.Decoded) throws {
        let image = try Fixtures.png(entry.file)
        let expected = try Fixtures.expected(entry)
        #expect(image.width == entry.width && image.height == entry.height)
        let difference = Difference(image, expected)
        #expect(difference.maximum == 0, "\(difference)")
    }

    /// Our PNG decodes back to the same pixels, at every compression level,
    /// RGB when opaque and RGBA otherwise.
    @Test(arguments: ["png-rgba-33x17.png", "png-rgb-7x5.png", "png-palette-trns-33x17.png", "resize-src-rgb-64x48.png"])
    func encodeRoundTrips(_ name: String) throws {
        let image = try Fixtures.png(name)
        for level in [0, Image.fastPNGCompression, 6, 9] {
            let encoded = try image.pngData(compressionLevel: level)
            #expect(encoded.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            // IHDR colour type: 2 = RGB, 6 = RGBA.
            #expect(encoded[25] == (image.isOpaque ? 2 : 6))
            let decoded = try Image(pngData: encoded)
            #expect(decoded == image, "level \(level)")
        }
    }

    @Test func encodesPaddedRows() throws {
        var bytes = [UInt8](repeating: 0xEE, count: 3 * 40)
        for y in 0..<3 { for i in 0..<(8 * 4) { bytes[y * 40 + i] = UInt8((y * 31 + i * 7) & 0xFF) } }
        let image = try Image(width: 8, height: 3, stride: 40, bytes: bytes)
        let decoded = try Image(pngData: image.pngData())
        #expect(decoded == image)
        #expect(decoded.stride == 32)
    }

    @Test func rejectsBadCompressionLevel() throws {
        let image = try Image(width: 2, height: 2)
        #expect(throws: ImagingError.invalidArgument("PNG compression level 10 is not in 0...9")) {
            try image.pngData(compressionLevel: 10)
        }
    }

    @Test func notAPNG() {
        #expect(throws: ImagingError.self) { try Image(pngData: Array("GIF89a....".utf8)) }
        do {
            _ = try Image(pngData: [0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0, 0])
            Issue.record("a JPEG header decoded as PNG")
        } catch {
            guard case .notThisFormat(.png, _) = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    /// Every proper prefix of a PNG is reported as truncated at its length.
    @Test func everyTruncationIsReported() throws {
        let data = try Fixtures.bytes("png-interlaced-palette-33x17.png")
        for length in 0..<data.count {
            do {
                _ = try Image(pngData: data[0..<length])
                Issue.record("prefix of \(length) bytes decoded")
            } catch {
                #expect(error == .truncated(.png, length: length))
            }
        }
        #expect(ImagingError.truncated(.png, length: 1234).description.hasPrefix("PNG data truncated after 1234 bytes"))
    }

    /// Random byte flips never crash; most are caught by the CRCs.
    @Test func byteFlipsNeverCrash() throws {
        var rng = SplitMix64(seed: 42)
        for name in ["png-rgba-33x17.png", "png-interlaced-rgba-33x17.png", "png-gray16-33x17.png"] {
            let data = try Fixtures.bytes(name)
            var failures = 0
            for _ in 0..<300 {
                var copy = data
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    copy[Int.random(in: 0..<copy.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
                if let image = try? Image(pngData: copy) {
                    #expect(image.width * image.height <= Image.maxPixelCount)
                } else {
                    failures += 1
                }
            }
            #expect(failures > 200, "\(name): only \(failures) of 300 corrupted files were rejected")
        }
    }

    /// A header announcing 400 million pixels is refused before allocating.
    @Test func refusesHugeHeader() throws {
        let ihdr = bigEndian(20000) + bigEndian(20000) + [8, 6, 0, 0, 0]
        let data =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", ihdr)
            + pngChunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + pngChunk("IEND", [])
        #expect(throws: ImagingError.tooLarge(width: 20000, height: 20000)) { try Image(pngData: data) }
    }

    @Test func brokenCompressedDataIsMalformed() throws {
        let ihdr = bigEndian(4) + bigEndian(4) + [8, 2, 0, 0, 0]
        let data =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", ihdr)
            + pngChunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]) + pngChunk("IEND", [])
        do {
            _ = try Image(pngData: data)
            Issue.record("garbage IDAT decoded")
        } catch {
            guard case .malformed(.png, let detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(!detail.isEmpty)
        }
    }
}

@Suite struct JPEGTests {
    /// Every JPEG decodes to Pillow's pixels within 2 per channel (IDCT and
    /// upsampling may differ between libjpeg-turbo versions).
    @Test(arguments: Fixtures.manifest.jpeg)
    func decodesLikePillow(_ entry: Fixtures.Decoded) throws {
        let image = try Image(jpegData: Fixtures.bytes(entry.file))
        let expected = try Fixtures.expected(entry)
        #expect(image.width == entry.width && image.height == entry.height)
        let difference = Difference(image, expected)
        #expect(difference.maximum <= 2, "\(difference)")
        #expect(image.isOpaque)
    }

    /// Our encoder loses as much as Pillow's at the same settings (both are
    /// libjpeg-turbo with its default tables), and makes files of about the same size.
    @Test(arguments: Fixtures.manifest.jpeg_encode)
    func encodesLikePillow(_ entry: Fixtures.JPEGEncode) throws {
        let image = try Fixtures.png(entry.source)
        let encoded = try image.jpegData(quality: entry.quality, fullChroma: entry.full_chroma)
        #expect(encoded.starts(with: [0xFF, 0xD8]) && encoded.suffix(2) == [0xFF, 0xD9])
        let psnr = Difference(try Image(jpegData: encoded), image, channels: 3).psnr
        #expect(abs(psnr - entry.psnr) < 0.3, "PSNR \(psnr) dB, Pillow \(entry.psnr) dB")
        #expect(abs(Double(encoded.count) / Double(entry.bytes) - 1) < 0.1, "\(encoded.count) bytes, Pillow \(entry.bytes)")
    }

    /// A screen-like picture (flat areas, gradients, hard edges) keeps its
    /// detail at quality 95 with the default 4:2:0 chroma.
    @Test func quality95KeepsScreenDetail() throws {
        var image = try Image(width: 120, height: 200, fill: .white)
        for y in 0..<200 {
            for x in 0..<120 {
                image.setPixel(x: x, y: y, to: Color(r: UInt8(x * 2), g: UInt8(y), b: 200))
            }
        }
        image.fillRect(x: 10, y: 150, x1: 110, y1: 170, color: .black)
        image.drawBox(x: 20, y: 20, width: 60, height: 40, thickness: 2, color: .white)
        let high = try image.jpegData(quality: 95)
        let low = try image.jpegData(quality: 30)
        #expect(low.count < high.count)
        let highPSNR = Difference(try Image(jpegData: high), image, channels: 3).psnr
        let lowPSNR = Difference(try Image(jpegData: low), image, channels: 3).psnr
        #expect(highPSNR > 35, "PSNR \(highPSNR)")
        #expect(lowPSNR < highPSNR)
    }

    @Test func encodeDropsAlphaAndHandlesOddSizes() throws {
        let image = try Fixtures.png("png-rgba-33x17.png")
        let decoded = try Image(jpegData: image.jpegData(quality: 100, fullChroma: true))
        #expect(decoded.width == 33 && decoded.height == 17)
        #expect(decoded.isOpaque)
        // Colour survives where alpha was 0 (JPEG has no alpha to drop it into).
        var opaque = image
        opaque.withUnsafeMutableBytes { raw in for i in Swift.stride(from: 3, to: raw.count, by: 4) { raw[i] = 255 } }
        #expect(Difference(decoded, opaque, channels: 3).psnr > 35)
    }

    @Test func rejectsBadQuality() throws {
        let image = try Image(width: 2, height: 2)
        #expect(throws: ImagingError.self) { try image.jpegData(quality: 0) }
        #expect(throws: ImagingError.self) { try image.jpegData(quality: 101) }
    }

    @Test func everyTruncationIsReported() throws {
        let data = try Fixtures.bytes("jpeg-progressive-97x61.jpg")
        for length in Swift.stride(from: 0, to: data.count, by: 7) + [data.count - 2, data.count - 1] {
            do {
                _ = try Image(jpegData: data[0..<length])
                Issue.record("prefix of \(length) bytes decoded")
            } catch {
                #expect(error == .truncated(.jpeg, length: length))
            }
        }
    }

    @Test func byteFlipsNeverCrash() throws {
        var rng = SplitMix64(seed: 7)
        for name in ["jpeg-baseline-33x17.jpg", "jpeg-progressive-97x61.jpg", "jpeg-cmyk-33x17.jpg"] {
            let data = try Fixtures.bytes(name)
            for _ in 0..<300 {
                var copy = data
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    copy[Int.random(in: 0..<copy.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
                if let image = try? Image(jpegData: copy) {
                    #expect(image.width * image.height <= Image.maxPixelCount)
                }
            }
        }
    }

    @Test func notAJPEG() {
        do {
            _ = try Image(jpegData: Array("\u{89}PNG....".utf8))
            Issue.record("decoded")
        } catch {
            guard case .notThisFormat(.jpeg, _) = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test func sniffsTheFormat() throws {
        let png = try Fixtures.bytes("png-rgb-7x5.png")
        let jpeg = try Fixtures.bytes("jpeg-444-7x5.jpg")
        #expect(try Image(encodedData: png) == Image(pngData: png))
        #expect(try Image(encodedData: jpeg) == Image(jpegData: jpeg))
        #expect(throws: ImagingError.unrecognizedFormat(firstBytes: [0x47, 0x49, 0x46])) {
            try Image(encodedData: Array("GIF".utf8))
        }
        #expect(ImagingError.unrecognizedFormat(firstBytes: [0x47, 0x0A]).description.contains("47 0a"))
    }

    /// Data as Foundation's Data works the same as [UInt8].
    @Test func acceptsData() throws {
        let bytes = try Fixtures.bytes("jpeg-gray-33x17.jpg")
        #expect(try Image(jpegData: Data(bytes)) == Image(jpegData: bytes))
    }
}
