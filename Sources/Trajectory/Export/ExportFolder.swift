import Foundation

/// The output folder of an export: new or empty when the export starts, with one sub-folder per
/// episode for its files, named after the episode's folder (made unique when two are alike).
public struct ExportFolder: Sendable {
    public let url: URL
    private var taken: Set<String> = []

    /// Creates the folder, or takes an existing empty one.
    public init(_ url: URL) throws(ExportError) {
        self.url = url
        let fm = FileManager.default
        if let entries = try? fm.contentsOfDirectory(atPath: url.path), !entries.isEmpty {
            throw ExportError("the output folder \(url.path) is not empty; give a new or empty folder")
        }
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ExportError("cannot create the output folder \(url.path): \(error.localizedDescription)")
        }
    }

    /// A name for `episode`'s files, unique in this export: its folder's name, with characters
    /// other than letters, digits, `-`, `_` and `.` replaced, and `-2`, `-3`… on a repeat.
    public mutating func name(for episode: Episode) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        var base = String(episode.directory.standardizedFileURL.lastPathComponent.map { allowed.contains($0) ? $0 : "_" })
        if base.isEmpty || base.allSatisfy({ $0 == "." }) { base = "episode" }
        var name = base
        var n = 2
        while taken.contains(name) {
            name = "\(base)-\(n)"
            n += 1
        }
        taken.insert(name)
        return name
    }

    /// Copies a file of `episode` (a path relative to its folder) to `relative` in the export,
    /// creating folders on the way, and returns `relative`.
    @discardableResult
    public func copy(_ source: String, of episode: Episode, to relative: String) throws(ExportError) -> String {
        let from = episode.directory.appendingPathComponent(source)
        let to = url.appendingPathComponent(relative)
        do {
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: from, to: to)
        } catch {
            throw ExportError("cannot copy \(from.path) to \(to.path): \(error.localizedDescription)")
        }
        return relative
    }

    /// Writes `lines` as JSON Lines: one compact JSON object per line, keys sorted.
    public func writeLines<T: Encodable>(_ lines: [T], to relative: String) throws(ExportError) {
        let target = url.appendingPathComponent(relative)
        var data = Data()
        let encoder = EpisodeJSON.encoder(pretty: false)
        do {
            for line in lines {
                data.append(try encoder.encode(line))
                data.append(0x0A)
            }
            try data.write(to: target, options: .atomic)
        } catch {
            throw ExportError("cannot write \(target.path): \(error.localizedDescription)")
        }
    }

    /// The file's extension, lower-cased, as the copy keeps it (`png`, `jpg`).
    public static func fileExtension(_ path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        return ext.isEmpty ? "png" : ext
    }
}
