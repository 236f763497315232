import Trajectory
import AndroidPhone
import Foundation
import Yams

/// The shortcuts of a `Devices/shortcuts` folder, checked when loaded.
public struct ShortcutLibrary: Sendable {
    public static let format = 1

    public private(set) var shortcuts: [Shortcut]

    public init(shortcuts: [Shortcut]) throws(ShortcutError) {
        var seen: [String: String] = [:]
        for s in shortcuts {
            if let other = seen[s.name] {
                throw ShortcutError("shortcut \"\(s.name)\" is declared twice: in \(other) and in \(s.source)")
            }
            seen[s.name] = s.source
        }
        self.shortcuts = shortcuts
    }

    private init(unchecked shortcuts: [Shortcut]) { self.shortcuts = shortcuts }

    public static let empty = ShortcutLibrary(unchecked: [])

    /// Loads every `*.yaml` / `*.yml` file of `directory`, in name order.
    public static func load(directory: String) throws(ShortcutError) -> ShortcutLibrary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ShortcutError("cannot list the shortcut folder \(directory): \(error.localizedDescription)")
        }
        var all: [Shortcut] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)
            else {
                throw ShortcutError("\(path): cannot read the file as UTF-8 text")
            }
            all += try parse(yaml: text, source: path)
        }
        return try ShortcutLibrary(shortcuts: all)
    }

    /// The shortcuts of one YAML document.
    public static func parse(yaml: String, source: String) throws(ShortcutError) -> [Shortcut] {
        let file: FileDTO
        do {
            file = try YAMLDecoder().decode(FileDTO.self, from: yaml)
        } catch let error as DecodingError {
            throw ShortcutError("\(source): \(describe(error))")
        } catch {
            throw ShortcutError("\(source): not valid YAML: \(error)")
        }
        guard file.format == format else {
            throw ShortcutError("\(source): format \(file.format) is not supported; this Tether reads format \(format)")
        }
        var out: [Shortcut] = []
        for (i, dto) in (file.shortcuts ?? []).enumerated() {
            out.append(try dto.validated(source: source, index: i))
        }
        return out
    }

    /// The shortcuts whose app is installed.
    public func offered(installedPackages: Set<String>) -> [Shortcut] {
        shortcuts.filter { $0.isOffered(installedPackages: installedPackages) }
    }

    public func shortcut(named name: String) -> Shortcut? { shortcuts.first { $0.name == name } }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty
                ? "the top level"
                : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                    .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath + [key])) is missing"
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)) should be \(type): \(ctx.debugDescription)"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)) needs a \(type) value"
        case .dataCorrupted(let ctx):
            return "\(path(ctx.codingPath)): \(ctx.debugDescription) \(ctx.underlyingError.map { "\($0)" } ?? "")"
        @unknown default:
            return "\(error)"
        }
    }
}
