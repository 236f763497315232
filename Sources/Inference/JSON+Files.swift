import Basics
import Foundation

/// Reading a checkpoint's JSON files, with errors that name the file.
extension JSON {
    static func parse(_ data: Data, path: String) throws -> JSON {
        do {
            return try JSON.decode(data)
        } catch {
            throw InferenceError.invalidJSON(path: path, reason: "\(error)")
        }
    }

    static func load(_ path: String) throws -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError.fileUnreadable(path: path, reason: "no such file or not readable")
        }
        return try parse(data, path: path)
    }
}
