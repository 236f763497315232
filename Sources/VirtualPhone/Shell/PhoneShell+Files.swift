import ADB
import Foundation

/// toybox's `stat`, `dd` and `setprop`, as far as clients use them: `stat -c '%s %Y' FILE…` and
/// ranged reads with `dd if=FILE bs=N iflag=skip_bytes,count_bytes skip=N count=N`.
extension VirtualPhoneShell {
    // MARK: - setprop

    func setprop(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard args.count == 2 else {
            try await io.err("usage: setprop NAME VALUE\n")
            return 1
        }
        await phone.setProperty(args[0], args[1])
        return 0
    }

    // MARK: - stat

    func stat(_ args: [String], io: ShellIO) async throws -> Int32 {
        var format: String?
        var follow = false
        var paths: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            switch a {
            case "-c", "--format": if i + 1 < args.count { format = args[i + 1]; i += 1 }
            case "-L", "--dereference": follow = true
            default:
                if a.hasPrefix("--format=") { format = String(a.dropFirst(9)) } else if a.hasPrefix("-c"), a.count > 2 { format = String(a.dropFirst(2)) } else { paths.append(a) }
            }
            i += 1
        }
        guard !paths.isEmpty else {
            try await io.err("stat: Needs 1 argument\n")
            return 1
        }
        var status: Int32 = 0
        for path in paths {
            let s = files.stat(path, follow: follow)
            guard s.exists else {
                try await io.err("stat: '\(path)': No such file or directory\n")
                status = 1
                continue
            }
            if let format {
                try await io.out(Self.expand(format, path: path, stat: s) + "\n")
            } else {
                let kind = s.isDirectory ? "directory" : s.isRegularFile ? "regular file" : "file"
                try await io.out(
                    "  File: \(path)\n  Size: \(s.size)\t Blocks: \((s.size + 511) / 512)\t IO Blocks: 4096\t\(kind)\n"
                        + "Access: (\(String(s.mode & 0o7777, radix: 8))) Modify: \(s.mtime)\n")
            }
        }
        return status
    }

    static func expand(_ format: String, path: String, stat s: SyncStat) -> String {
        var out = ""
        var chars = format.makeIterator()
        while let c = chars.next() {
            guard c == "%" else { out.append(c); continue }
            switch chars.next() {
            case "s": out += String(s.size)
            case "Y": out += String(s.mtime)
            case "n", "N": out += path
            case "a": out += String(s.mode & 0o7777, radix: 8)
            case "F": out += s.isDirectory ? "directory" : s.isRegularFile ? "regular file" : "file"
            case "%": out += "%"
            case let other?: out += "?" + String(other)
            case nil: out += "%"
            }
        }
        return out
    }

    // MARK: - dd

    /// `bs=64k` and friends: toybox's suffixes (c 1, w 2, b 512, k m g by 1024).
    static func ddNumber(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        let scale: Int
        switch last {
        case "c": scale = 1
        case "w": scale = 2
        case "b": scale = 512
        case "k", "K": scale = 1 << 10
        case "m", "M": scale = 1 << 20
        case "g", "G": scale = 1 << 30
        default: return Int(text).flatMap { $0 >= 0 ? $0 : nil }
        }
        return Int(text.dropLast()).flatMap { $0 >= 0 ? $0 * scale : nil }
    }

    func dd(_ args: [String], io: ShellIO) async throws -> Int32 {
        var input: String?, output: String?
        var blockSize = 512, count: Int?, skip = 0
        var skipBytes = false, countBytes = false, quiet = false
        for a in args {
            guard let eq = a.firstIndex(of: "=") else {
                try await io.err("dd: unknown argument '\(a)'\n")
                return 1
            }
            let key = String(a[..<eq]), value = String(a[a.index(after: eq)...])
            switch key {
            case "if": input = value
            case "of": output = value
            case "bs", "ibs":
                guard let n = Self.ddNumber(value), n > 0 else { try await io.err("dd: invalid number '\(value)'\n"); return 1 }
                blockSize = n
            case "obs", "seek": break
            case "count":
                guard let n = Self.ddNumber(value) else { try await io.err("dd: invalid number '\(value)'\n"); return 1 }
                count = n
            case "skip":
                guard let n = Self.ddNumber(value) else { try await io.err("dd: invalid number '\(value)'\n"); return 1 }
                skip = n
            case "iflag":
                for flag in value.split(separator: ",") {
                    switch flag {
                    case "skip_bytes": skipBytes = true
                    case "count_bytes": countBytes = true
                    case "fullblock": break
                    default: try await io.err("dd: bad iflag '\(flag)'\n"); return 1
                    }
                }
            case "oflag", "conv": break
            case "status": quiet = value == "none"
            default:
                try await io.err("dd: unknown argument '\(a)'\n")
                return 1
            }
        }
        let skipOffset = skipBytes ? skip : skip * blockSize
        let limit = count.map { countBytes ? $0 : $0 * blockSize }
        var data: [UInt8]
        if let input {
            guard let host = try? files.hostPath(input), files.stat(input, follow: true).exists,
                let handle = FileHandle(forReadingAtPath: host)
            else {
                try await io.err("dd: \(input): No such file or directory\n")
                return 1
            }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(skipOffset))
            data = []
            let wanted = limit ?? Int.max
            while data.count < wanted, let chunk = try handle.read(upToCount: min(wanted - data.count, 1 << 20)), !chunk.isEmpty {
                data += chunk
            }
        } else {
            var all: [UInt8] = []
            for await chunk in io.stdin { all += chunk }
            let start = min(skipOffset, all.count)
            data = Array(all[start..<min(all.count, start + (limit ?? all.count))])
        }
        if let output {
            guard let host = try? files.hostPath(output), FileManager.default.createFile(atPath: host, contents: Data(data)) else {
                try await io.err("dd: \(output): No such file or directory\n")
                return 1
            }
        } else if !data.isEmpty {
            try await io.stdout(data)
        }
        if !quiet {
            let full = data.count / blockSize, partial = data.count % blockSize == 0 ? 0 : 1
            try await io.err("\(full)+\(partial) records in\n\(full)+\(partial) records out\n\(data.count) bytes (\(data.count) B) copied, 0.000 s, 0 B/s\n")
        }
        return 0
    }
}
