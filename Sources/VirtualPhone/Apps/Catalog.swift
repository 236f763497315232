import Foundation

/// Everything under Devices/: profiles, apps and tasks, loaded once and shared by phones.
public struct DeviceCatalog: Sendable {
    public var directory: URL
    public var profiles: [String: DeviceProfile]
    public var apps: [String: AppDefinition]
    public var tasks: [TaskDefinition]

    /// Loads Devices/profiles, Devices/apps and Devices/tasks from a directory.
    public static func load(from directory: URL) throws(VirtualPhoneError) -> DeviceCatalog {
        func files(_ sub: String) throws(VirtualPhoneError) -> [URL] {
            let dir = directory.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
                throw .notFound("no \(sub) folder in \(directory.path): is this a Tether Devices directory?")
            }
            return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
        }
        func decode<T: Decodable>(_ type: T.Type, _ url: URL) throws(VirtualPhoneError) -> T {
            guard let data = FileManager.default.contents(atPath: url.path) else { throw .io("cannot read \(url.path)") }
            do { return try JSONDecoder().decode(T.self, from: data) } catch {
                throw .invalidData("\(url.lastPathComponent): \(Self.describe(error))")
            }
        }
        var profiles: [String: DeviceProfile] = [:]
        for url in try files("profiles") {
            let p = try decode(DeviceProfile.self, url)
            guard p.format == 1 else { throw .invalidData("\(url.lastPathComponent): format \(p.format) is not supported (expected 1)") }
            guard p.width > 0, p.height > 0, p.width * p.height <= 20_000_000, p.density > 0 else {
                throw .invalidData("\(url.lastPathComponent): screen \(p.width)x\(p.height) at \(p.density) dpi is not usable")
            }
            profiles[p.name] = p
        }
        var apps: [String: AppDefinition] = [:]
        for url in try files("apps") {
            let a = try decode(AppDefinition.self, url)
            guard a.format == 1 else { throw .invalidData("\(url.lastPathComponent): format \(a.format) is not supported (expected 1)") }
            guard a.screen(a.launchScreen) != nil else {
                throw .invalidData("\(url.lastPathComponent): launchScreen \(a.launchScreen) is not one of its screens")
            }
            apps[a.package] = a
        }
        var tasks: [TaskDefinition] = []
        for url in try files("tasks") {
            let file = try decode(TaskFile.self, url)
            guard file.format == 1 else { throw .invalidData("\(url.lastPathComponent): format \(file.format) is not supported (expected 1)") }
            tasks += file.tasks
        }
        for p in profiles.values {
            for pkg in p.apps where apps[pkg] == nil {
                throw .invalidData("profile \(p.name) installs \(pkg), which has no file in Devices/apps")
            }
        }
        var seen = Set<String>()
        for t in tasks {
            guard seen.insert(t.id).inserted else { throw .invalidData("task id \(t.id) is used twice") }
            if let problem = t.problems(requireSolution: false).first { throw .invalidData("task \(t.id): \(problem)") }
        }
        return DeviceCatalog(directory: directory, profiles: profiles, apps: apps, tasks: tasks.sorted { $0.id < $1.id })
    }

    /// Finds the Devices directory: $TETHER_DEVICES, else a `Devices` folder in the current
    /// directory or above it, else next to or above the executable.
    public static func locate() throws(VirtualPhoneError) -> URL {
        if let env = ProcessInfo.processInfo.environment["TETHER_DEVICES"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let exe = Bundle.main.executableURL { starts.append(exe.deletingLastPathComponent()) }
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("Devices")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("profiles").path) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw .notFound("cannot find the Devices directory; run from the Tether checkout or set TETHER_DEVICES")
    }

    public func task(_ id: String) -> TaskDefinition? { tasks.first { $0.id == id } }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \"\(key.stringValue)\" at \(path(ctx.codingPath))"
        case DecodingError.typeMismatch(let type, let ctx):
            return "expected \(type) at \(path(ctx.codingPath))"
        case DecodingError.valueNotFound(let type, let ctx):
            return "missing \(type) at \(path(ctx.codingPath))"
        case DecodingError.dataCorrupted(let ctx):
            return "\(ctx.debugDescription) at \(path(ctx.codingPath))"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
