import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Screenshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Capture the screen (raw frame from the phone, encoded here).",
        discussion: "Without -o the image goes to stdout when it is not a terminal, else to screenshot.png (or .jpg).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case png, jpg }

    @OptionGroup var device: DeviceOptions

    @Option(name: .shortAndLong, help: "Where to write the image.")
    var output: String?

    @Option(help: "png or jpg (default: from the file name, else png).")
    var format: Format?

    @Option(help: "JPEG quality, 1–100.")
    var quality: Int = 90

    @Flag(help: "Hand over a black frame from a secure (FLAG_SECURE) screen instead of failing.")
    var allowBlack = false

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be between 1 and 100") }
        if let output, output != "-", format == nil, Self.format(ofFile: output) == nil {
            throw ValidationError("cannot tell the image format of \(output): name it .png, .jpg or .jpeg, or give --format png|jpg")
        }
    }

    /// The format a file name asks for: png, jpg/jpeg; nil for another extension. A name with
    /// no extension gets PNG.
    static func format(ofFile name: String) -> Format? {
        let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
        switch ext {
        case "": return .png
        case "png": return .png
        case "jpg", "jpeg": return .jpg
        default: return nil
        }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        let image = try await phone.screenshot(rejectBlack: !allowBlack)
        await phone.close()
        let chosen = format ?? output.flatMap { $0 == "-" ? nil : Self.format(ofFile: $0) } ?? .png
        let bytes = chosen == .png ? try image.pngData() : try image.jpegData(quality: quality)
        if let output, output != "-" {
            guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                throw CommandFailure(description: "cannot write \(output)")
            }
            FileHandle.standardError.write(Data("\(output): \(image.width)x\(image.height) \(chosen.rawValue)\n".utf8))
        } else if output == "-" || isatty(STDOUT_FILENO) == 0 {
            writeStdout(Data(bytes))
        } else {
            let path = "screenshot.\(chosen.rawValue)"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw CommandFailure(description: "cannot write \(path)") }
            FileHandle.standardError.write(Data("\(path): \(image.width)x\(image.height) \(chosen.rawValue)\n".utf8))
        }
    }
}
