import Foundation

/// A token added on top of the BPE vocabulary (`added_tokens` in tokenizer.json). Added tokens are
/// matched in the raw text before pre-tokenization and never go through BPE.
public struct AddedToken: Sendable, Equatable {
    public let id: Int
    public let content: String
    public let special: Bool
    let lstrip: Bool
    let rstrip: Bool
}

/// The byte-level BPE tokenizer of GLM-4 / GLM-4.1V, read from tokenizer.json.
///
/// Supported layout (the one GLM checkpoints ship): no normalizer; pre-tokenizer = Split on the
/// GLM regex (isolated) followed by ByteLevel without its own regex (or a lone ByteLevel with
/// the GLM regex semantics); model BPE; decoder ByteLevel. Anything else is refused with an error
/// rather than tokenized differently from Hugging Face `tokenizers`.
public struct Tokenizer: Sendable {
    public let vocab: [String: Int]
    let idToToken: [Int: String]
    let mergeRanks: [Pair: Int]
    public let addedTokens: [AddedToken]
    let addedByContent: [String: AddedToken]
    let addedById: [Int: AddedToken]
    let ignoreMerges: Bool

    struct Pair: Hashable, Sendable {
        let a: String
        let b: String
    }

    /// The GLM-4 pre-tokenizer pattern, which `GLMPreTokenizer` implements by hand.
    public static let glmPattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    public static func load(directory: String) throws -> Tokenizer {
        let path = directory + "/tokenizer.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError.fileUnreadable(path: path, reason: "no such file or not readable")
        }
        return try Tokenizer(json: JSON.parse(data, path: path))
    }

    init(json: JSON) throws {
        func fail(_ s: String) -> InferenceError { .tokenizer(s) }
        if let n = json["normalizer"], !n.isNull {
            throw fail("normalizer \(n["type"]?.string ?? "?") is not supported (GLM tokenizers have none)")
        }
        try Tokenizer.checkPreTokenizer(json["pre_tokenizer"])
        if let d = json["decoder"], !d.isNull, d["type"]?.string != "ByteLevel" {
            throw fail("decoder \(d["type"]?.string ?? "?") is not supported; expected ByteLevel")
        }
        guard let model = json["model"], model["type"]?.string == "BPE" else {
            throw fail("model.type must be BPE")
        }
        if model["byte_fallback"]?.bool == true { throw fail("byte_fallback BPE is not supported") }
        guard let vocabJSON = model["vocab"]?.object else { throw fail("model.vocab is missing") }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(vocabJSON.count)
        for (k, v) in vocabJSON {
            guard let id = v.int else { throw fail("vocab entry \(k) has a non-integer id") }
            vocab[k] = id
        }
        var ranks: [Pair: Int] = [:]
        for (rank, m) in (model["merges"]?.array ?? []).enumerated() {
            if let s = m.string {
                let parts = s.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw fail("merge \(rank) '\(s)' is not two symbols") }
                ranks[Pair(a: String(parts[0]), b: String(parts[1]))] = ranks[Pair(a: String(parts[0]), b: String(parts[1]))] ?? rank
            } else if let a = m.array, a.count == 2, let x = a[0].string, let y = a[1].string {
                ranks[Pair(a: x, b: y)] = ranks[Pair(a: x, b: y)] ?? rank
            } else {
                throw fail("merge \(rank) is neither \"a b\" nor [a, b]")
            }
        }
        var added: [AddedToken] = []
        for t in json["added_tokens"]?.array ?? [] {
            guard let id = t["id"]?.int, let content = t["content"]?.string, !content.isEmpty else {
                throw fail("an added_tokens entry lacks id or content")
            }
            added.append(AddedToken(id: id, content: content, special: t["special"]?.bool ?? false,
                                    lstrip: t["lstrip"]?.bool ?? false, rstrip: t["rstrip"]?.bool ?? false))
        }
        var idToToken: [Int: String] = [:]
        for (k, v) in vocab { idToToken[v] = k }
        for a in added { idToToken[a.id] = a.content }
        self.vocab = vocab
        self.idToToken = idToToken
        self.mergeRanks = ranks
        self.addedTokens = added
        self.addedByContent = Dictionary(added.map { ($0.content, $0) }, uniquingKeysWith: { a, _ in a })
        self.addedById = Dictionary(added.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.ignoreMerges = model["ignore_merges"]?.bool ?? false
    }

    static func checkPreTokenizer(_ p: JSON?) throws {
        guard let p, !p.isNull else { throw InferenceError.tokenizer("pre_tokenizer is missing; expected the GLM Split + ByteLevel") }
        let steps: [JSON] = p["type"]?.string == "Sequence" ? (p["pretokenizers"]?.array ?? []) : [p]
        var sawSplit = false, sawByteLevel = false
        for s in steps {
            switch s["type"]?.string {
            case "Split":
                let pattern = s["pattern"]?["Regex"]?.string ?? s["pattern"]?["String"]?.string
                guard pattern == glmPattern else {
                    throw InferenceError.tokenizer("pre_tokenizer Split pattern differs from the GLM-4 pattern; this tokenizer implements only that pattern")
                }
                guard (s["behavior"]?.string ?? "Isolated") == "Isolated", s["invert"]?.bool != true else {
                    throw InferenceError.tokenizer("pre_tokenizer Split must be behavior Isolated, not inverted")
                }
                sawSplit = true
            case "ByteLevel":
                if s["add_prefix_space"]?.bool == true {
                    throw InferenceError.tokenizer("ByteLevel add_prefix_space=true is not supported")
                }
                if s["use_regex"]?.bool ?? true, !sawSplit {
                    throw InferenceError.tokenizer("ByteLevel with the GPT-2 regex is not supported; expected the GLM Split before it")
                }
                sawByteLevel = true
            default:
                throw InferenceError.tokenizer("pre_tokenizer \(s["type"]?.string ?? "?") is not supported")
            }
        }
        guard sawSplit, sawByteLevel else {
            throw InferenceError.tokenizer("pre_tokenizer must be Split(GLM pattern) then ByteLevel")
        }
    }

    public var count: Int { (idToToken.keys.max() ?? -1) + 1 }

    public func id(of token: String) -> Int? { addedByContent[token]?.id ?? vocab[token] }
    public func token(of id: Int) -> String? { idToToken[id] }

    // MARK: encode

    /// Token ids of `text`. Added tokens (special or not) found in the text become their ids.
    public func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        for segment in splitAddedTokens(text) {
            switch segment {
            case let .added(t): out.append(t.id)
            case let .text(s):
                for piece in GLMPreTokenizer.split(s) { bpe(piece, into: &out) }
            }
        }
        return out
    }

    enum Segment { case text(Substring), added(AddedToken) }

    /// Splits out added tokens, leftmost first and the longest at one position, as `tokenizers` does.
    func splitAddedTokens(_ text: String) -> [Segment] {
        guard !addedTokens.isEmpty else { return [.text(text[...])] }
        let firstChars = Set(addedTokens.compactMap { $0.content.unicodeScalars.first })
        var segments: [Segment] = []
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var i = start
        while i < scalars.endIndex {
            if firstChars.contains(scalars[i]) {
                var best: AddedToken?
                for t in addedTokens where t.content.unicodeScalars.count > (best?.content.unicodeScalars.count ?? 0) {
                    if scalars[i...].starts(with: t.content.unicodeScalars) { best = t }
                }
                if let best {
                    var segStart = start
                    var segEnd = i
                    let after = scalars.index(i, offsetBy: best.content.unicodeScalars.count)
                    var next = after
                    if best.lstrip {
                        while segEnd > segStart, scalars[scalars.index(before: segEnd)].properties.isWhitespace {
                            segEnd = scalars.index(before: segEnd)
                        }
                    }
                    if segStart < segEnd { segments.append(.text(Substring(scalars[segStart..<segEnd]))) }
                    segments.append(.added(best))
                    if best.rstrip {
                        while next < scalars.endIndex, scalars[next].properties.isWhitespace { next = scalars.index(after: next) }
                    }
                    segStart = next
                    start = segStart
                    i = next
                    continue
                }
            }
            i = scalars.index(after: i)
        }
        if start < scalars.endIndex { segments.append(.text(Substring(scalars[start...]))) }
        return segments
    }

    func bpe(_ piece: Substring, into out: inout [Int]) {
        let mapped = String(String.UnicodeScalarView(piece.utf8.map { ByteLevel.byteToScalar[Int($0)] }))
        if ignoreMerges, let id = vocab[mapped] { out.append(id); return }
        var symbols = mapped.unicodeScalars.map { String($0) }
        while symbols.count > 1 {
            var bestRank = Int.max
            var bestIndex = -1
            for j in 0..<(symbols.count - 1) {
                if let r = mergeRanks[Pair(a: symbols[j], b: symbols[j + 1])], r < bestRank {
                    bestRank = r
                    bestIndex = j
                }
            }
            if bestIndex < 0 { break }
            symbols[bestIndex] += symbols[bestIndex + 1]
            symbols.remove(at: bestIndex + 1)
        }
        for s in symbols {
            if let id = vocab[s] { out.append(id) }
            // A symbol outside the vocabulary cannot happen with a byte-level alphabet; with no
            // unk token `tokenizers` drops it too.
        }
    }

    // MARK: decode

    /// The text of `ids`. With `skipSpecialTokens`, added tokens marked special are left out.
    /// Unknown ids are skipped. Invalid UTF-8 becomes U+FFFD, as in `tokenizers`.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if let a = addedById[id] {
                if skipSpecialTokens && a.special { continue }
            }
            guard let tok = idToToken[id] else { continue }
            var tokenBytes: [UInt8] = []
            var allMapped = true
            for s in tok.unicodeScalars {
                if let b = ByteLevel.scalarToByte[s] { tokenBytes.append(b) } else { allMapped = false; break }
            }
            if allMapped { bytes += tokenBytes } else { bytes += Array(tok.utf8) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// GPT-2's reversible byte ↔ printable-character map used by ByteLevel.
enum ByteLevel {
    static let byteToScalar: [Unicode.Scalar] = {
        var printable = Set<Int>()
        for r in [33...126, 161...172, 174...255] { for b in r { printable.insert(b) } }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var n = 0
        for b in 0..<256 {
            if printable.contains(b) {
                table[b] = Unicode.Scalar(UInt32(b)) ?? " "
            } else {
                table[b] = Unicode.Scalar(UInt32(256 + n)) ?? " "
                n += 1
            }
        }
        return table
    }()

    static let scalarToByte: [Unicode.Scalar: UInt8] = {
        var d: [Unicode.Scalar: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { d[s] = UInt8(b) }
        return d
    }()
}

/// A hand-written matcher for the GLM-4 pre-tokenizer regex (see `Tokenizer.glmPattern`), with
/// Oniguruma's semantics: ordered alternatives, greedy quantifiers with backtracking, `\s` =
/// Unicode White_Space, `\p{L}` / `\p{N}` = the Letter / Number general categories.
enum GLMPreTokenizer {
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
    static func isNewline(_ s: Unicode.Scalar) -> Bool { s == "\r" || s == "\n" }

    /// Splits `text` into pre-tokens (every scalar belongs to exactly one piece).
    static func split(_ text: Substring) -> [Substring] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [Substring] = []
        var indices: [String.UnicodeScalarView.Index] = []
        indices.reserveCapacity(scalars.count + 1)
        var idx = text.unicodeScalars.startIndex
        for _ in 0..<scalars.count {
            indices.append(idx)
            idx = text.unicodeScalars.index(after: idx)
        }
        indices.append(text.unicodeScalars.endIndex)
        var pos = 0
        var gapStart = 0
        while pos < scalars.count {
            if let len = match(scalars, pos), len > 0 {
                if gapStart < pos { pieces.append(Substring(text.unicodeScalars[indices[gapStart]..<indices[pos]])) }
                pieces.append(Substring(text.unicodeScalars[indices[pos]..<indices[pos + len]]))
                pos += len
                gapStart = pos
            } else {
                pos += 1
            }
        }
        if gapStart < scalars.count {
            pieces.append(Substring(text.unicodeScalars[indices[gapStart]..<indices[scalars.count]]))
        }
        return pieces
    }

    /// Length of the match at `p`, or nil.
    static func match(_ s: [Unicode.Scalar], _ p: Int) -> Int? {
        let n = s.count
        let c = s[p]
        // 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if c == "'", p + 1 < n {
            let a = lower(s[p + 1])
            if a == "s" || a == "t" || a == "m" || a == "d" {
                // 's and 't come before 're etc. in the alternation; single letters win immediately.
                return 2
            }
            if p + 2 < n {
                let b = lower(s[p + 2])
                if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return 3 }
            }
        }
        // 2. [^\r\n\p{L}\p{N}]?\p{L}+
        if isLetter(c) {
            var e = p + 1
            while e < n, isLetter(s[e]) { e += 1 }
            return e - p
        }
        if !isNewline(c), !isNumber(c), p + 1 < n, isLetter(s[p + 1]) {
            var e = p + 2
            while e < n, isLetter(s[e]) { e += 1 }
            return e - p
        }
        // 3. \p{N}{1,3}
        if isNumber(c) {
            var e = p + 1
            while e < n, e - p < 3, isNumber(s[e]) { e += 1 }
            return e - p
        }
        // 4. ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        func symbol(_ x: Unicode.Scalar) -> Bool { !isSpace(x) && !isLetter(x) && !isNumber(x) }
        var q = p
        if c == " ", p + 1 < n, symbol(s[p + 1]) { q = p + 1 }
        if symbol(s[q]) {
            var e = q + 1
            while e < n, symbol(s[e]) { e += 1 }
            while e < n, isNewline(s[e]) { e += 1 }
            return e - p
        }
        // 5.–7. whitespace runs
        guard isSpace(c) else { return nil }
        var runEnd = p + 1
        while runEnd < n, isSpace(s[runEnd]) { runEnd += 1 }
        // 5. \s*[\r\n]+ : ends after the last CR/LF of the run.
        var lastNL = -1
        for k in p..<runEnd where isNewline(s[k]) { lastNL = k }
        if lastNL >= 0 { return lastNL + 1 - p }
        // 6. \s+(?!\S)
        if runEnd == n { return runEnd - p }
        if runEnd - p >= 2 { return runEnd - 1 - p }
        // 7. \s+
        return runEnd - p
    }

    static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value >= 65 && s.value <= 90 { return Unicode.Scalar(s.value + 32) ?? s }
        return s
    }
}
