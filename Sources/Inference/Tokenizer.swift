import Foundation
import Basics

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
/// Supported layout: no normalizer; pre-tokenizer = Split (isolated) on any regular expression,
/// ByteLevel (with or without its GPT-2 regex, no prefix space), or a sequence of them (see
/// `PreTokenizer`); model BPE; decoder ByteLevel. Anything else is refused with an error rather
/// than tokenized differently from Hugging Face `tokenizers`.
public struct Tokenizer: Sendable {
    public let vocab: [String: Int]
    let idToToken: [Int: String]
    let mergeRanks: [Pair: Int]
    public let addedTokens: [AddedToken]
    let addedByContent: [String: AddedToken]
    let addedById: [Int: AddedToken]
    let ignoreMerges: Bool
    let preTokenizer: PreTokenizer

    struct Pair: Hashable, Sendable {
        let a: String
        let b: String
    }

    /// The GLM-4 pre-tokenizer pattern (cl100k's), which `GLMPreTokenizer` implements by hand.
    public static let glmPattern = GLMPreTokenizer.pattern

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
        let preTokenizer = try PreTokenizer(json: json["pre_tokenizer"])
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
            added.append(
                AddedToken(
                    id: id, content: content, special: t["special"]?.bool ?? false,
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
        self.preTokenizer = preTokenizer
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
                for piece in preTokenizer.split(s) { bpe(piece, into: &out) }
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
