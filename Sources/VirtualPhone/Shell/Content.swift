import ADB
import Foundation

/// `content query` over the phone's providers, with `--projection` and simple `--where` clauses.
extension VirtualPhoneShell {
    func content(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard args.first == "query" else {
            try await io.err("usage: adb shell content query --uri <URI> [--user <USER_ID>] [--projection <PROJECTION>] [--where <WHERE>] [--sort <SORT_ORDER>]\n")
            return 1
        }
        var uri: String?, projection: [String]?, whereClause: String?
        var i = 1
        while i < args.count {
            switch args[i] {
            case "--uri": uri = i + 1 < args.count ? args[i + 1] : nil; i += 1
            case "--projection": projection = i + 1 < args.count ? args[i + 1].split(separator: ":").map(String.init) : nil; i += 1
            case "--where": whereClause = i + 1 < args.count ? args[i + 1] : nil; i += 1
            default: i += 1
            }
        }
        guard let uri else { try await io.err("[ERROR] Content provider URI not specified\n"); return 1 }
        guard var rows = await phone.contentRows(uri) else {
            try await io.err("Error while accessing provider:\(uri.replacingOccurrences(of: "content://", with: "").split(separator: "/").first ?? "")\njava.lang.IllegalArgumentException: Unknown URI \(uri)\n")
            return 1
        }
        if let whereClause {
            let conditions = whereClause.components(separatedBy: " AND ").compactMap { c -> (String, String, Bool)? in
                let like = c.range(of: " LIKE ", options: .caseInsensitive)
                let parts = like.map { [String(c[..<$0.lowerBound]), String(c[$0.upperBound...])] } ?? c.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                return (parts[0].trimmingCharacters(in: .whitespaces), Self.sqlValue(parts[1]), like != nil)
            }
            rows = rows.filter { row in
                conditions.allSatisfy { key, value, like in
                    guard let v = row.first(where: { $0.0 == key })?.1 else { return false }
                    if like { return v.lowercased().contains(value.replacingOccurrences(of: "%", with: "").lowercased()) }
                    return v == value
                }
            }
        }
        if rows.isEmpty { try await io.out("No result found.\n"); return 0 }
        for (n, row) in rows.enumerated() {
            let cols = projection.map { p in p.map { k in (k, row.first { $0.0 == k }?.1 ?? "NULL") } } ?? row
            try await io.out("Row: \(n) " + cols.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "\n")
        }
        return 0
    }

    /// A `--where` value as SQLite reads it: a quoted literal (`''` is a quote) or literals
    /// joined with `||` (`'%' || 'Alice' || '%'`), or a bare word.
    static func sqlValue(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        var pieces: [String] = []
        let chars = Array(t)
        var i = 0
        while i < chars.count {
            if chars[i] == " " { i += 1; continue }
            if chars[i] == "'" {
                var piece = ""
                i += 1
                while i < chars.count {
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { piece.append("'"); i += 2; continue }
                        break
                    }
                    piece.append(chars[i]); i += 1
                }
                i += 1
                pieces.append(piece)
                while i < chars.count, chars[i] == " " { i += 1 }
                if i + 1 < chars.count, chars[i] == "|", chars[i + 1] == "|" { i += 2; continue }
                if i < chars.count { return t.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
            } else {
                return t.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            }
        }
        return pieces.joined()
    }
}
