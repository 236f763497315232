import ADB
import Foundation

/// `screencap`: the frame as raw RGBA or PNG, to stdout or a file.
extension VirtualPhoneShell {
    /// A phone's `screencap -p` encodes through hwui's `Bitmap::compress`, which calls Skia's
    /// `SkPngEncoder` with default options: zlib level 6 and every row filter tried. The virtual
    /// phone encodes the same way, so the PNG path costs what it costs on a phone's encoder
    /// settings (on this host's faster CPU).
    static let screencapPNGCompression = 6

    func screencap(_ args: [String], io: ShellIO) async throws -> Int32 {
        let png = args.contains("-p")
        let file = args.first { !$0.hasPrefix("-") }
        let bytes: [UInt8]
        if png || (file?.lowercased().hasSuffix(".png") ?? false) {
            do { bytes = try await phone.screenshotPNG(compressionLevel: Self.screencapPNGCompression) } catch {
                try await io.err("screencap: cannot encode PNG: \(error)\n")
                return 1
            }
        } else {
            let image = await phone.screenshot()
            var header = [UInt8]()
            for v in [UInt32(image.width), UInt32(image.height), 1, 1] { withUnsafeBytes(of: v.littleEndian) { header += $0 } }
            if file == nil {
                // Straight from the frame to the stream: no 10 MB concatenation first.
                try await io.stdout(header)
                try await Self.write(image.packedBytes, in: 256 * 1024, to: io)
                return 0
            }
            bytes = header + image.packedBytes
        }
        if let file {
            guard let path = try? files.hostPath(file), FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                try await io.err("Error opening file: \(file) (No such file or directory)\n")
                return 1
            }
            return 0
        }
        try await Self.write(bytes, in: 256 * 1024, to: io)
        return 0
    }

    static func write(_ bytes: [UInt8], in chunkSize: Int, to io: ShellIO) async throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            try await io.stdout(Array(bytes[offset..<end]))
            offset = end
        }
    }
}
