import Foundation

/// The project's one way of finding the installed app a name means, for a person's
/// `tether launch` and for the model's `Launch` alike.
///
/// In order: the label as written, the package as written, the package ignoring case, the
/// label ignoring case, accents, width, spaces and punctuation (in the phone's locale, then in
/// any other locale the app has), one label containing the other (the closest in length, when
/// that is unique), then, with `typos`, a label a small edit distance away (unique).
public enum AppNameMatcher {
    /// One app as the matcher sees it: its package, its label in the phone's locale, and its
    /// labels in the other locales its APK has.
    public struct Candidate: Sendable, Equatable {
        public var package: String
        public var label: String
        public var otherLabels: [String]

        public init(package: String, label: String, otherLabels: [String] = []) {
            self.package = package
            self.label = label
            self.otherLabels = otherLabels
        }
    }

    /// Lowercased, without accents or width differences, letters and digits only.
    public static func normalize(_ s: String) -> String {
        let folded = s.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        return String(folded.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    /// The app `name` means, nil when nothing fits or the best fit is not unique.
    public static func match(_ name: String, in apps: [Candidate], typos: Bool = true) -> Candidate? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let a = apps.first(where: { $0.label == trimmed }) { return a }
        if let a = apps.first(where: { $0.package == trimmed }) { return a }
        if let a = apps.first(where: { $0.package.lowercased() == trimmed.lowercased() }) { return a }
        let n = normalize(trimmed)
        guard !n.isEmpty else { return nil }
        if let a = apps.first(where: { normalize($0.label) == n }) { return a }
        if let a = apps.first(where: { $0.otherLabels.contains { normalize($0) == n } }) { return a }
        let containing = apps.filter {
            let l = normalize($0.label)
            return !l.isEmpty && (l.contains(n) || (n.contains(l) && l.count >= 2))
        }
        if !containing.isEmpty {
            let gap = { (app: Candidate) in abs(normalize(app.label).count - n.count) }
            let bestGap = containing.map(gap).min() ?? 0
            let ties = containing.filter { gap($0) == bestGap }
            return ties.count == 1 ? ties[0] : nil
        }
        guard typos else { return nil }
        return closeByEdits(n, in: apps).count == 1 ? closeByEdits(n, in: apps).first : nil
    }

    /// Labels a person may have meant by a name that matched nothing: near misses by a few
    /// edits, then labels that contain it, at most five.
    public static func suggestions(for name: String, in apps: [Candidate]) -> [String] {
        let n = normalize(name)
        guard !n.isEmpty else { return [] }
        var out = closeByEdits(n, in: apps).map(\.label)
        out += apps.filter { normalize($0.label).contains(n) }.map(\.label).sorted()
        var seen: Set<String> = []
        return Array(out.filter { seen.insert($0).inserted }.prefix(5))
    }

    /// Apps whose label is the fewest edits from `n` (1 for short names, 2 from 8 characters).
    static func closeByEdits(_ n: String, in apps: [Candidate]) -> [Candidate] {
        guard n.count >= 4 else { return [] }
        let scored = apps.map { ($0, editDistance(normalize($0.label), n)) }
        guard let low = scored.map(\.1).min(), low <= (n.count >= 8 ? 2 : 1) else { return [] }
        return scored.filter { $0.1 == low }.map(\.0)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
