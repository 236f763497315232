import ArgumentParser
import Foundation
import Imaging
import Inference

struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect and run a GLM-4.1V (AutoGLM-Phone-9B) checkpoint in-process on the CPU.",
        subcommands: [Info.self, Generate.self])

    /// A PNG or JPEG file, decoded by the Imaging module.
    static func readImage(_ path: String) throws -> Image {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelCommandError(description: "cannot read image \(path)")
        }
        do {
            return try Image(encodedData: data)
        } catch {
            throw ModelCommandError(description: "\(path): \(error)")
        }
    }
}

/// A failure outside the model (an unreadable image file); printed as "Error: …" with exit code 1.
struct ModelCommandError: Error, CustomStringConvertible {
    let description: String
}
