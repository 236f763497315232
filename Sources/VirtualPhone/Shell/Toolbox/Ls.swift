import ADB
import Foundation

extension Toolbox {
    /// toybox `ls` as a pipe sees it (one name per line): `-a -A -1 -d -l -r -t -F`. `-l` prints
    /// toybox's long format: mode, links, owner, group, size, `YYYY-MM-DD HH:MM` (UTC), name.
    static let ls: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "ls", flags: "aA1dlrtF")
        let operands = o.operands.isEmpty ? ["."] : o.operands
        var status: Int32 = 0
        var fileEntries: [String] = []
        var directories: [String] = []
        for operand in operands {
            let path = context.absolute(operand)
            guard context.files.exists(path) else {
                try await io.err("ls: \(operand): No such file or directory\n")
                status = 1
                continue
            }
            if context.files.isDirectory(path), !o.has("d") { directories.append(operand) } else { fileEntries.append(operand) }
        }
        func order(_ names: [String], in dir: String?) -> [String] {
            var sorted = names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            if o.has("t") {
                func mtime(_ n: String) -> Int64 { context.files.stat(context.absolute(dir.map { $0 + "/" + n } ?? n), follow: false).mtime }
                sorted = sorted.enumerated().sorted { a, b in
                    let (x, y) = (mtime(a.element), mtime(b.element))
                    return x != y ? x > y : a.offset < b.offset
                }.map(\.element)
            }
            return o.has("r") ? sorted.reversed() : sorted
        }
        func line(_ name: String, path: String) -> String {
            let s = context.files.stat(path, follow: false)
            var suffix = ""
            if o.has("F") {
                if s.isDirectory { suffix = "/" } else if s.mode & 0o170000 == 0o120000 { suffix = "@" } else if s.mode & 0o111 != 0 { suffix = "*" }
            }
            guard o.has("l") else { return name + suffix + "\n" }
            var target = ""
            if s.mode & 0o170000 == 0o120000, let host = try? context.files.hostPath(path),
                let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: host)
            {
                target = " -> " + destination
            }
            return "\(modeString(s.mode)) \(s.linkCount) shell shell \(s.size) \(timestamp(s.mtime)) \(name)\(suffix)\(target)\n"
        }
        var out = ""
        for name in order(fileEntries, in: nil) { out += line(name, path: context.absolute(name)) }
        let headers = directories.count + fileEntries.count > 1 || status != 0
        for (n, dir) in order(directories, in: nil).enumerated() {
            if n > 0 || !fileEntries.isEmpty { out += "\n" }
            if headers { out += dir + ":\n" }
            let base = context.absolute(dir)
            var names = context.files.list(base).filter { o.has("a") || o.has("A") || !$0.hasPrefix(".") }
            if o.has("a") { names += [".", ".."] }
            names = order(names, in: dir)
            if o.has("l") {
                let blocks = names.reduce(0) { sum, name in sum + Int((context.files.stat(base + "/" + name, follow: false).size + 4095) / 4096) * 4 }
                out += "total \(blocks)\n"
            }
            for name in names { out += line(name, path: base + "/" + name) }
        }
        try await io.out(out)
        return status
    }

    static func modeString(_ mode: UInt32) -> String {
        let type: String =
            switch mode & 0o170000 {
            case 0o040000: "d"
            case 0o120000: "l"
            case 0o020000: "c"
            case 0o060000: "b"
            case 0o010000: "p"
            case 0o140000: "s"
            default: "-"
            }
        let letters = Array("rwxrwxrwx")
        return type + String((0..<9).map { mode & (1 << (8 - $0)) != 0 ? letters[$0] : "-" })
    }

    static func timestamp(_ seconds: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
