import ADB
import Foundation

/// App labels, read the way `aapt dump badging` reads them: from each app's APK on the phone
/// (no shell command prints labels). Only the ZIP directory, the manifest and, when a label is
/// a resource, resources.arsc cross the wire, through `dd` ranged reads; a phone whose `dd`
/// cannot do byte ranges gets whole-file sync pulls instead. Results are cached by package, APK
/// path, size and mtime, so a second `apps()` costs two batched commands for all apps.
extension Phone {
    /// The user's locale: `persist.sys.locale`, else `ro.product.locale`, else en-US.
    public func deviceLocale() async throws -> ResourceLocale {
        let text = try await shell("getprop persist.sys.locale; getprop ro.product.locale").stdoutText
        let tag = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
        return ResourceLocale(tag: tag ?? "en-US")
    }

    /// `$XDG_CACHE_HOME/tether`, else `~/.cache/tether`.
    public static var defaultCacheDirectory: URL {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("tether")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tether")
    }

    /// The labels each package's APK declares, read or taken from the cache. A package whose APK
    /// cannot be read gets `.apkUnreadable` with the reason; the others are unaffected.
    public func apkLabels(for packages: [String]) async throws -> [String: Result<APKLabels, PhoneError>] {
        guard !packages.isEmpty else { return [:] }
        loadDiskCache()
        var results: [String: Result<APKLabels, PhoneError>] = [:]
        let now = Date().timeIntervalSince1970
        var cacheChanged = false

        // Batched commands for every package's APK path, then for their sizes and mtimes.
        let pathAnswers = try await outputs(of: packages.map { "pm path \(ShellQuoting.quote($0))" }, timeout: configuration.commandTimeout * 4)
        var paths: [String: String] = [:]
        for (package, answer) in zip(packages, pathAnswers) {
            if let path = Self.baseAPKPath(answer) {
                paths[package] = path
            } else {
                results[package] = .failure(.apkUnreadable(package: package, reason: "`pm path` names no APK"))
            }
        }
        let statCommands = Self.batches(Set(paths.values).sorted().map(ShellQuoting.quote), separatorBytes: 1, limit: Self.maxCommandBytes - 40)
            .map { "stat -c '%s %Y %n' " + $0.joined(separator: " ") }
        let statText = try await outputs(of: statCommands, timeout: configuration.commandTimeout * 4).joined()
        var stats: [String: (size: Int, mtime: Int)] = [:]
        for line in Self.lines(statText) {
            let fields = line.split(separator: " ", maxSplits: 2)
            if fields.count == 3, let size = Int(fields[0]), let mtime = Int(fields[1]) { stats[String(fields[2])] = (size, mtime) }
        }

        // Phones without toybox's `stat -c` (before Android 6): ask sync, one session for all.
        let unstated = Set(paths.values).subtracting(stats.keys).sorted()
        if !unstated.isEmpty {
            for (path, stat) in await syncStats(unstated) { stats[path] = stat }
        }

        var toRead: [(package: String, path: String, size: Int, key: String)] = []
        for package in packages {
            guard let path = paths[package] else { continue }
            guard let stat = stats[path] else {
                results[package] = .failure(.apkUnreadable(package: package, reason: "cannot stat \(path)"))
                continue
            }
            let key = "\(package)\n\(path)\n\(stat.size)\n\(stat.mtime)"
            // Older versions of this APK (updated since) leave the cache.
            let stale = labelCache.keys.filter { $0 != key && $0.hasPrefix("\(package)\n\(path)\n") }
            for old in stale { labelCache[old] = nil }
            if !stale.isEmpty { cacheChanged = true }
            if let cached = labelCache[key] {
                results[package] = .success(cached.labels)
                // A use is written down about once a day, so that labels in use never age out.
                if now - cached.used > Self.labelUseResolution { labelCache[key]?.used = now; cacheChanged = true }
            } else {
                toRead.append((package, path, stat.size, key))
            }
        }

        // A few APKs at a time, each over its own streams.
        var index = 0
        while index < toRead.count {
            let batch = toRead[index..<min(index + 4, toRead.count)]
            index += batch.count
            await withTaskGroup(of: (String, String, Result<APKLabels, PhoneError>).self) { group in
                for item in batch {
                    group.addTask { (item.package, item.key, await self.readLabels(package: item.package, path: item.path, size: item.size)) }
                }
                for await (package, key, result) in group {
                    results[package] = result
                    if case .success(let labels) = result { labelCache[key] = CachedLabels(labels: labels, used: now) }
                }
            }
        }
        if !toRead.isEmpty || cacheChanged { saveDiskCache() }
        return results
    }

    /// The base APK among `pm path` lines (split APKs list several): the one ending in
    /// base.apk, else the first.
    static func baseAPKPath(_ text: String) -> String? {
        let paths = lines(text).compactMap { $0.hasPrefix("package:") ? String($0.dropFirst(8)) : nil }.filter { !$0.isEmpty }
        return paths.first { $0.hasSuffix("/base.apk") } ?? paths.first
    }

    func readLabels(package: String, path: String, size: Int) async -> Result<APKLabels, PhoneError> {
        let file = RemoteAPK(phone: self, path: path)
        do {
            let labels = try await APKLabels.read(size: size) { offset, count in try await file.read(offset: offset, count: count) }
            guard labels.package == package else {
                return .failure(.apkUnreadable(package: package, reason: "\(path) declares package \(labels.package)"))
            }
            return .success(labels)
        } catch let error as APKFormatError {
            logger.debug("unreadable APK", metadata: ["package": "\(package)", "path": "\(path)", "error": "\(error)"])
            return .failure(.apkUnreadable(package: package, reason: "\(path): \(error)"))
        } catch let error as PhoneError {
            return .failure(.apkUnreadable(package: package, reason: "\(path): \(error)"))
        } catch {
            return .failure(.apkUnreadable(package: package, reason: "\(path): \(error)"))
        }
    }

    /// `count` bytes at `offset` of a file on the phone with toybox dd; nil when the phone's dd
    /// cannot read byte ranges (the caller then pulls the whole file).
    func readRange(_ path: String, offset: Int, count: Int) async throws -> [UInt8]? {
        if rangedReadsWork == false { return nil }
        let command = "dd if=\(ShellQuoting.quote(path)) bs=65536 iflag=skip_bytes,count_bytes skip=\(offset) count=\(count) 2>/dev/null"
        let bytes = try await execBytes(command, timeout: configuration.commandTimeout * 4)
        if bytes.count == count {
            rangedReadsWork = true
            return bytes
        }
        if rangedReadsWork == nil {
            logger.info("dd cannot read byte ranges on this phone; pulling whole APKs instead", metadata: ["got": "\(bytes.count)", "wanted": "\(count)"])
            rangedReadsWork = false
        }
        return nil
    }

    /// Sizes and mtimes through the sync protocol; files it cannot stat are left out.
    func syncStats(_ paths: [String]) async -> [String: (size: Int, mtime: Int)] {
        countRoundTrip()
        let target = self.target, timeout = configuration.commandTimeout * 4
        let found = try? await withTimeout(timeout, "stat over sync") {
            let sync = try await SyncClient.open(target)
            var found: [String: (size: Int, mtime: Int)] = [:]
            for path in paths {
                guard let stat = try? await sync.stat(path), stat.exists, stat.isRegularFile else { continue }
                found[path] = (Int(stat.size), Int(stat.mtime))
            }
            await sync.close()
            return found
        }
        return found ?? [:]
    }

    /// The whole file through the sync protocol.
    func pullWhole(_ path: String) async throws -> [UInt8] {
        countRoundTrip()
        let target = self.target, timeout = configuration.screenshotTimeout * 4
        do {
            return try await withTimeout(timeout, "pull \(path)") {
                let sync = try await SyncClient.open(target)
                do {
                    let bytes = try await sync.pullData(path, limit: 1 << 30)
                    await sync.close()
                    return bytes
                } catch {
                    await sync.close()
                    throw error
                }
            }
        } catch {
            throw PhoneError.from(error, action: "pull \(path)", timeout: timeout)
        }
    }

    // MARK: - Disk cache

    /// Uses closer together than this are not written down again.
    static let labelUseResolution: TimeInterval = 24 * 3600

    struct DiskCache: Codable {
        var format = 2
        var entries: [String: CachedLabels]
    }

    /// The first format, before entries knew when they were last used.
    struct DiskCacheV1: Codable {
        var format: Int
        var entries: [String: APKLabels]
    }

    var diskCacheURL: URL? { configuration.labelCacheDirectory?.appendingPathComponent("app-labels.json") }

    func loadDiskCache() {
        guard !labelCacheLoaded else { return }
        labelCacheLoaded = true
        labelCache.merge(readDiskCache()) { current, _ in current }
    }

    /// The entries on disk; none when there is no file or it cannot be read.
    func readDiskCache() -> [String: CachedLabels] {
        guard let url = diskCacheURL, let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        if let cache = try? JSONDecoder().decode(DiskCache.self, from: data), cache.format == 2 { return cache.entries }
        if let old = try? JSONDecoder().decode(DiskCacheV1.self, from: data), old.format == 1 {
            let now = Date().timeIntervalSince1970
            return old.entries.mapValues { CachedLabels(labels: $0, used: now) }
        }
        logger.info("ignoring an unreadable label cache", metadata: ["path": "\(url.path)"])
        return [:]
    }

    /// Writes the cache, merged with what another process may have written since it was read
    /// (the later use of an entry wins), without entries unused for `labelCacheMaxAge` and
    /// beyond the `labelCacheMaxEntries` most recently used.
    func saveDiskCache() {
        guard let url = diskCacheURL else { return }
        labelCache.merge(readDiskCache()) { mine, theirs in theirs.used > mine.used ? theirs : mine }
        labelCache = Self.trimmed(
            labelCache, now: Date().timeIntervalSince1970,
            maxAge: configuration.labelCacheMaxAge, maxEntries: configuration.labelCacheMaxEntries)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try encoder.encode(DiskCache(entries: labelCache)).write(to: url, options: .atomic)
        } catch {
            logger.warning("cannot write the label cache", metadata: ["path": "\(url.path)", "error": "\(error)"])
        }
    }

    static func trimmed(_ entries: [String: CachedLabels], now: TimeInterval, maxAge: Duration, maxEntries: Int) -> [String: CachedLabels] {
        let oldest = now - Double(maxAge.components.seconds)
        var kept = entries.filter { $0.value.used >= oldest }
        if kept.count > maxEntries {
            let newest = kept.sorted { $0.value.used != $1.value.used ? $0.value.used > $1.value.used : $0.key < $1.key }.prefix(max(0, maxEntries))
            kept = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
        }
        return kept
    }
}

/// An APK's labels in the cache, with when they were last asked for (seconds since 1970).
struct CachedLabels: Codable, Sendable, Equatable {
    var labels: APKLabels
    var used: TimeInterval
}

/// One APK on the phone, read in ranges, or whole once ranged reads turn out not to work.
actor RemoteAPK {
    let phone: Phone
    let path: String
    var whole: [UInt8]?

    init(phone: Phone, path: String) {
        self.phone = phone
        self.path = path
    }

    func read(offset: Int, count: Int) async throws -> [UInt8] {
        if whole == nil, let bytes = try await phone.readRange(path, offset: offset, count: count) { return bytes }
        if whole == nil { whole = try await phone.pullWhole(path) }
        guard let whole, offset >= 0, count >= 0, offset <= whole.count, count <= whole.count - offset else {
            throw APKFormatError.truncated("\(path) (\(count) bytes at \(offset))")
        }
        return Array(whole[offset..<offset + count])
    }
}
