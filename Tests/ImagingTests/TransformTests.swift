import Testing

@testable import Imaging

@Suite struct ResizeTests {
    /// Every resize (up, down, mixed, to 1x1; RGB and RGBA with varied alpha;
    /// box, bilinear, bicubic, Lanczos) is within 1 of Pillow's on at least
    /// 99.9% of channel values and never off by more than 1 (with Pillow
    /// 13.0.0 they are in fact identical).
    @Test(arguments: Fixtures.manifest.resize)
    func matchesPillow(_ entry: Fixtures.Resize) throws {
        let source = try Fixtures.png(entry.source)
        let expected = try Fixtures.png(entry.file)
        let filter = try #require(ResamplingFilter(rawValue: entry.filter))
        let resized = try source.resized(width: entry.width, height: entry.height, filter: filter)
        #expect(resized.width == entry.width && resized.height == entry.height)
        let difference = Difference(resized, expected)
        #expect(Double(difference.over1) <= Double(difference.total) * 0.001, "\(difference)")
        #expect(difference.maximum <= 1, "\(difference)")
    }

    /// The fixtures were made by Pillow from these exact sizes; a resize to
    /// the same size is a copy, as in Pillow.
    @Test func sameSizeIsACopy() throws {
        let source = try Fixtures.png("resize-src-rgba-40x30.png")
        #expect(try source.resized(width: 40, height: 30) == source)
    }

    @Test func rejectsBadSizes() throws {
        let source = try Image(width: 4, height: 4)
        #expect(throws: ImagingError.invalidSize(width: 0, height: 3)) { try source.resized(width: 0, height: 3) }
        #expect(throws: ImagingError.tooLarge(width: 1 << 40, height: 1 << 40)) {
            try source.resized(width: 1 << 40, height: 1 << 40)
        }
    }

    /// Flat colour stays flat under every filter (weights sum to one; the
    /// negative lobes of bicubic and Lanczos add no ringing on a flat field).
    @Test(arguments: ResamplingFilter.allCases)
    func flatStaysFlat(_ filter: ResamplingFilter) throws {
        let colour = Color(r: 200, g: 17, b: 99, a: 255)
        let flat = try Image(width: 37, height: 23, fill: colour)
        for (w, h) in [(11, 7), (80, 50), (37, 5), (3, 23)] {
            let resized = try flat.resized(width: w, height: h, filter: filter)
            #expect(resized == (try Image(width: w, height: h, fill: colour)), "\(w)x\(h)")
        }
    }

    /// A padded-stride source resizes like its packed copy.
    @Test func paddedSource() throws {
        let packed = try Fixtures.png("resize-src-rgb-64x48.png")
        var bytes: [UInt8] = []
        for y in 0..<48 {
            bytes += packed.bytes[(y * 256)..<(y * 256 + 256)] + [UInt8](repeating: 7, count: 20)
        }
        let padded = try Image(width: 64, height: 48, stride: 276, bytes: bytes)
        #expect(try padded.resized(width: 30, height: 70) == packed.resized(width: 30, height: 70))
    }
}

@Suite struct GeometryTests {
    @Test(arguments: Fixtures.manifest.rotate.map(\.clockwise))
    func rotatesLikePillow(_ degrees: Int) throws {
        let entry = try #require(Fixtures.manifest.rotate.first { $0.clockwise == degrees })
        let rotation = try #require(Rotation(rawValue: degrees))
        let rotated = try Fixtures.png(entry.source).rotated(clockwise: rotation)
        #expect(rotated == (try Fixtures.png(entry.file)))
    }

    @Test func fourQuarterTurnsAreIdentity() throws {
        let source = try Fixtures.png("png-rgba-33x17.png")
        var image = source
        for _ in 0..<4 { image = image.rotated(clockwise: .degrees90) }
        #expect(image == source)
        #expect(source.rotated(clockwise: .degrees90).rotated(clockwise: .degrees270) == source)
        #expect(source.rotated(clockwise: .degrees180).rotated(clockwise: .degrees180) == source)
    }

    @Test func cropsLikePillow() throws {
        for entry in Fixtures.manifest.crop {
            let cropped = try Fixtures.png(entry.source).cropped(
                x: entry.x, y: entry.y, width: entry.width, height: entry.height)
            #expect(cropped == (try Fixtures.png(entry.file)), "\(entry.file)")
        }
    }

    @Test func rejectsCropsOutside() throws {
        let image = try Image(width: 7, height: 5)
        for (x, y, w, h) in [(-1, 0, 2, 2), (6, 0, 2, 1), (0, 4, 1, 2), (0, 0, 8, 5), (Int.max, 0, 1, 1)] {
            #expect(throws: ImagingError.self) { try image.cropped(x: x, y: y, width: w, height: h) }
        }
        #expect(throws: ImagingError.invalidSize(width: 0, height: 1)) { try image.cropped(x: 0, y: 0, width: 0, height: 1) }
    }
}

@Suite struct DrawingTests {
    /// Boxes are pixel-exact with Pillow's ImageDraw.rectangle(outline:, width:).
    @Test(arguments: Fixtures.manifest.rectangle)
    func boxesMatchPillow(_ entry: Fixtures.Rectangle) throws {
        var image = try Fixtures.png(entry.source)
        let color = Color(r: entry.color[0], g: entry.color[1], b: entry.color[2])
        image.drawBox(
            x: entry.x, y: entry.y, width: entry.width, height: entry.height, thickness: entry.thickness, color: color)
        let difference = Difference(image, try Fixtures.png(entry.file))
        #expect(difference.maximum == 0, "\(difference)")
    }

    @Test func tapMarkerIsARingWithADot() throws {
        var image = try Image(width: 100, height: 100, fill: .white)
        image.drawTapMarker(x: 50, y: 50, radius: 20, thickness: 4, color: .red)
        #expect(image.pixel(x: 50, y: 50) == .red)  // dot
        #expect(image.pixel(x: 52, y: 51) == .red)
        #expect(image.pixel(x: 50, y: 40) == .white)  // between dot and ring
        for (x, y) in [(70, 50), (30, 50), (50, 70), (50, 30), (64, 64)] {
            #expect(image.pixel(x: x, y: y) == .red, "ring at (\(x), \(y))")
        }
        #expect(image.pixel(x: 50, y: 75) == .white)  // outside
        #expect(image.pixel(x: 5, y: 5) == .white)
        // Soft edge: some pixels are between white and red.
        let blended = image.packedBytes.chunked4().filter { $0 != [255, 255, 255, 255] && $0 != [255, 0, 0, 255] }
        #expect(!blended.isEmpty)
        #expect(blended.allSatisfy { $0[0] == 255 && $0[1] == $0[2] && $0[3] == 255 })
    }

    @Test func arrowHasShaftAndHead() throws {
        var image = try Image(width: 120, height: 60, fill: .black)
        image.drawArrow(fromX: 10, fromY: 30, toX: 110, toY: 30, thickness: 6, color: .green)
        #expect(image.pixel(x: 10, y: 30) == .green)  // start
        #expect(image.pixel(x: 60, y: 32) == .green)  // shaft
        #expect(image.pixel(x: 60, y: 38) == .black)  // beside the shaft
        #expect(image.pixel(x: 108, y: 30) == .green)  // near the tip
        #expect(image.pixel(x: 95, y: 36) == .green)  // head is wider than the shaft
        #expect(image.pixel(x: 115, y: 30) == .black)  // beyond the tip
        // Symmetric about the line.
        for x in 0..<120 { for d in 1..<25 { #expect(image.pixel(x: x, y: 30 - d) == image.pixel(x: x, y: 30 + d)) } }
    }

    @Test func translucentColourBlends() throws {
        var image = try Image(width: 10, height: 10, fill: .white)
        image.fillRect(x: 0, y: 0, x1: 10, y1: 10, color: Color(r: 0, g: 0, b: 0, a: 128))
        let p = try #require(image.pixel(x: 5, y: 5))
        #expect((126...128).contains(p.r) && p.r == p.g && p.g == p.b && p.a == 255)
    }

    /// Shapes partly or wholly outside, or with absurd coordinates, are clipped and never crash.
    @Test func clipsAndSurvivesAbsurdInput() throws {
        var image = try Image(width: 20, height: 10, fill: .white)
        let original = image
        image.drawTapMarker(x: -1000, y: -1000, color: .red)
        image.drawArrow(fromX: .nan, fromY: 0, toX: 5, toY: 5, color: .red)
        image.drawLine(fromX: -.infinity, fromY: 0, toX: 5, toY: 5, color: .red)
        image.drawBox(x: Int.min / 2, y: 0, width: 5, height: 5, color: .red)
        image.drawBox(x: 30, y: 30, width: 5, height: 5, color: .red)
        #expect(image == original)
        image.drawTapMarker(x: 0, y: 0, radius: 8, thickness: 3, color: .red)
        image.drawArrow(fromX: -50, fromY: 5, toX: 70, toY: 5, thickness: 4, color: .red)
        image.drawArrow(fromX: 3, fromY: 3, toX: 3, toY: 3, color: .red)  // zero length
        image.drawBox(x: -3, y: -3, width: 100, height: 100, thickness: 2, color: .red)
        #expect(image != original)
    }
}

extension Array where Element == UInt8 {
    fileprivate func chunked4() -> [[UInt8]] {
        Swift.stride(from: 0, to: count, by: 4).map { Array(self[$0..<($0 + 4)]) }
    }
}
