import Testing

@testable import Imaging

@Suite struct ImageTests {
    @Test func validatesSizes() {
        #expect(throws: ImagingError.invalidSize(width: 0, height: 1)) { try Image(width: 0, height: 1) }
        #expect(throws: ImagingError.invalidSize(width: 3, height: -1)) { try Image(width: 3, height: -1) }
        #expect(throws: ImagingError.tooLarge(width: 10001, height: 10000)) { try Image(width: 10001, height: 10000) }
        #expect(throws: ImagingError.tooLarge(width: Int.max, height: 2)) { try Image(width: Int.max, height: 2) }
        #expect(throws: ImagingError.self) { try Image(width: 2, height: 2, bytes: [1, 2, 3]) }
        #expect(throws: ImagingError.self) { try Image(width: 2, height: 2, stride: 7, bytes: [UInt8](repeating: 0, count: 64)) }
        #expect(ImagingError.tooLarge(width: 20000, height: 10000).description.contains("100000000 pixels"))
    }

    @Test func fillsAndReadsPixels() throws {
        var image = try Image(width: 3, height: 2, fill: Color(r: 1, g: 2, b: 3, a: 4))
        #expect(image.bytes == [UInt8]([1, 2, 3, 4]).repeated(6))
        #expect(image.pixel(x: 2, y: 1) == Color(r: 1, g: 2, b: 3, a: 4))
        #expect(image.pixel(x: 3, y: 0) == nil)
        #expect(image.pixel(x: 0, y: -1) == nil)
        let inside = image.setPixel(x: 1, y: 1, to: .red)
        let outside = image.setPixel(x: 1, y: 2, to: .red)
        #expect(inside && !outside)
        #expect(image.pixel(x: 1, y: 1) == .red)
        #expect(Array(image.bytes[16..<20]) == [255, 0, 0, 255])
        #expect(!image.isOpaque)
        #expect(try Image(width: 2, height: 2, fill: .white).isOpaque)
        #expect(try Image(width: 2, height: 2).bytes == [UInt8](repeating: 0, count: 16))
    }

    /// Padded rows: accessors skip the padding and equality ignores it.
    @Test func paddedRows() throws {
        var bytes = [UInt8](repeating: 0xCC, count: 2 * 12)
        bytes.replaceSubrange(0..<8, with: [1, 2, 3, 4, 5, 6, 7, 8])
        bytes.replaceSubrange(12..<20, with: [9, 10, 11, 12, 13, 14, 15, 16])
        let padded = try Image(width: 2, height: 2, stride: 12, bytes: bytes)
        #expect(padded.stride == 12)
        #expect(padded.pixel(x: 0, y: 1) == Color(r: 9, g: 10, b: 11, a: 12))
        #expect(padded.packedBytes == Array(1...16))
        let packed = try Image(width: 2, height: 2, bytes: Array(1...16))
        #expect(padded == packed)
        // A last row without its padding is accepted.
        #expect(try Image(width: 2, height: 2, stride: 12, bytes: Array(bytes[0..<20])) == packed)
        var other = packed
        other.setPixel(x: 1, y: 1, to: .black)
        #expect(other != packed)
        #expect(try Image(width: 4, height: 1, bytes: Array(1...16)) != packed)
    }
}

extension Array {
    fileprivate func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
