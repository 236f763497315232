import Foundation
import Testing

@testable import Imaging

/// The files written by Scripts/make-imaging-fixtures, and its manifest.
enum Fixtures {
    struct Decoded: Codable, Sendable, CustomTestStringConvertible {
        var file: String
        var expected: String
        var width: Int
        var height: Int
        var note: String
        var testDescription: String { "\(file) (\(note))" }
    }

    struct Resize: Codable, Sendable, CustomTestStringConvertible {
        var source: String
        var file: String
        var filter: String
        var width: Int
        var height: Int
        var testDescription: String { file }
    }

    struct JPEGEncode: Codable, Sendable, CustomTestStringConvertible {
        var source: String
        var quality: Int
        var full_chroma: Bool
        var bytes: Int
        var psnr: Double
        var testDescription: String { "q\(quality)\(full_chroma ? " 4:4:4" : " 4:2:0")" }
    }

    struct Rotate: Codable, Sendable {
        var source: String
        var file: String
        var clockwise: Int
    }

    struct Crop: Codable, Sendable {
        var source: String
        var file: String
        var x: Int
        var y: Int
        var width: Int
        var height: Int
    }

    struct Rectangle: Codable, Sendable, CustomTestStringConvertible {
        var source: String
        var file: String
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var thickness: Int
        var color: [UInt8]
        var testDescription: String { file }
    }

    struct Manifest: Codable, Sendable {
        var format: Int
        var pillow: String
        var png: [Decoded]
        var jpeg: [Decoded]
        var jpeg_encode: [JPEGEncode]
        var resize: [Resize]
        var rotate: [Rotate]
        var crop: [Crop]
        var rectangle: [Rectangle]
    }

    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String { "fixture \(name) is missing; run Scripts/make-imaging-fixtures" }
    }

    static func url(_ name: String) -> URL? {
        Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = url(name) else { throw Missing(name: name) }
        return [UInt8](try Data(contentsOf: url))
    }

    /// An empty manifest when the file cannot be read; `manifestIsComplete`
    /// fails in that case, so parameterised tests never pass by running on nothing.
    static let manifest: Manifest = {
        let empty = Manifest(format: 0, pillow: "", png: [], jpeg: [], jpeg_encode: [], resize: [], rotate: [], crop: [], rectangle: [])
        guard let url = url("manifest.json"), let data = try? Data(contentsOf: url) else { return empty }
        return (try? JSONDecoder().decode(Manifest.self, from: data)) ?? empty
    }()

    static func png(_ name: String) throws -> Image {
        try Image(pngData: bytes(name))
    }

    /// A decoded fixture's expected pixels, as a packed image.
    static func expected(_ entry: Decoded) throws -> Image {
        try Image(width: entry.width, height: entry.height, bytes: bytes(entry.expected))
    }
}

/// Per-channel comparison of two images of the same size.
struct Difference: CustomStringConvertible {
    var maximum = 0
    var differing = 0
    var over1 = 0
    var total = 0
    var sumSquared = 0.0
    var firstOver: (x: Int, y: Int, channel: Int, a: UInt8, b: UInt8)?

    init(_ a: Image, _ b: Image, channels: Int = 4) {
        let pa = a.packedBytes
        let pb = b.packedBytes
        precondition(pa.count == pb.count, "compare images of one size")
        for i in 0..<pa.count where i % 4 < channels {
            let d = abs(Int(pa[i]) - Int(pb[i]))
            total += 1
            sumSquared += Double(d * d)
            if d > 0 { differing += 1 }
            if d > 1 {
                over1 += 1
                if firstOver == nil {
                    let pixel = i / 4
                    firstOver = (pixel % a.width, pixel / a.width, i % 4, pa[i], pb[i])
                }
            }
            maximum = max(maximum, d)
        }
    }

    /// Peak signal-to-noise ratio in dB (infinite when identical).
    var psnr: Double {
        sumSquared == 0 ? .infinity : 10 * log10(255 * 255 / (sumSquared / Double(total)))
    }

    var description: String {
        var text = "max \(maximum), \(differing)/\(total) channel values differ, \(over1) by more than 1"
        if let f = firstOver { text += "; first at (\(f.x), \(f.y)) channel \(f.channel): \(f.a) vs \(f.b)" }
        return text
    }
}

/// CRC-32 as PNG chunks use it, to build hand-made PNGs.
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

func littleEndian(_ values: [UInt32]) -> [UInt8] {
    values.flatMap { v in [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
}

func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
}
