import ADB

extension Toolbox {
    /// `basename PATH [SUFFIX]`.
    static let basename: Command = { argv, _, io in
        guard argv.count >= 2 else {
            try await io.err("basename: needs 1 argument\n")
            return 1
        }
        try await io.out(baseName(argv[1], suffix: argv.count > 2 ? argv[2] : nil) + "\n")
        return 0
    }

    /// `dirname PATH`.
    static let dirname: Command = { argv, _, io in
        guard argv.count >= 2 else {
            try await io.err("dirname: needs 1 argument\n")
            return 1
        }
        try await io.out(dirName(argv[1]) + "\n")
        return 0
    }

    static func baseName(_ path: String, suffix: String?) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        if trimmed == "/" { return "/" }
        var base = String(trimmed.split(separator: "/").last ?? "")
        if let suffix, !suffix.isEmpty, base != suffix, base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        return base
    }

    static func dirName(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        var dir = p[..<slash]
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        return dir.isEmpty ? "/" : String(dir)
    }
}
