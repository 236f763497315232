import Foundation

/// The KV cache of the previous generation, kept so that the next one runs only the part of its
/// prompt that changed.
///
/// A phone agent asks the model once per step, and each step's prompt starts with the previous
/// step's system prompt and old turns, token for token; only the newest turn (with its
/// screenshot) is new. Pass the same `PrefixCache` to every `generate` call and each call reuses
/// the keys and values of the longest common prefix with the previous call — its prompt and the
/// tokens it generated — and prefills only the rest.
///
/// A token is reused only when its id and its three M-RoPE positions both match (positions after
/// an image are not sequential), and an image's tokens only when the image's pixels are identical.
/// At least the prompt's last token is always run, for its logits.
///
/// A few entries are kept, newest first (`capacity`, and at most `maxHeldTokens` tokens in all:
/// about 80 KiB per token for the 9B model, plus images), so that a different request between
/// two steps (the agent's Call_API) does not push out the steps' history. A call takes the entry
/// that serves it best while it runs and puts it back when it ends (on failure or cancellation,
/// truncated to what is still valid), so a second call made while the first runs does not find
/// that entry and runs more of its prompt instead of waiting.
public final class PrefixCache: @unchecked Sendable {
    struct Entry {
        /// The model the keys and values came from.
        weak var model: GLM4VModel?
        /// The ids of the tokens held by `kv`, in order: a prompt, then generated tokens.
        var tokenIds: [Int]
        /// Their (t, h, w) positions: three rows of `tokenIds.count`.
        var positions: [[Int]]
        /// The images whose `<|image|>` runs start at the given token index.
        var images: [(start: Int, image: ProcessedImage)]
        var kv: KVCache
    }

    /// How many entries are kept at most.
    public let capacity: Int
    /// How many tokens all kept entries may hold together; the oldest go first.
    public let maxHeldTokens: Int

    // `lock` guards `entries` and `epoch`; every access below holds it.
    private let lock = NSLock()
    /// Newest first.
    private var entries: [Entry] = []
    /// Bumped by `reset()` so that a call running during a reset does not put its entry back.
    private var epoch = 0

    public init(capacity: Int = 2, maxHeldTokens: Int = 32_768) {
        self.capacity = max(1, capacity)
        self.maxHeldTokens = max(1, maxHeldTokens)
    }

    /// Drops the kept entries, freeing their memory; the next call runs its whole prompt.
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        entries = []
        epoch += 1
    }

    /// Tokens whose keys and values are kept (not counting an entry a call holds).
    public var heldTokens: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.reduce(0) { $0 + $1.kv.count }
    }

    /// How many entries are kept now.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    /// The entry whose reusable prefix (`reusable`, -1: unusable) is longest. When the caller
    /// reuses at least half of it — the next step of the same conversation — the entry itself is
    /// taken out, so the caller owns its arrays and extends them in place. Otherwise (a different
    /// request sharing a little, such as the system prompt) the caller gets a copy of just that
    /// prefix and the entry stays for the conversation it belongs to.
    func checkout(reusable: (Entry) -> Int) -> (entry: Entry?, epoch: Int) {
        lock.lock()
        defer { lock.unlock() }
        var best: (index: Int, length: Int)?
        for (i, e) in entries.enumerated() {
            let length = reusable(e)
            if length >= 0, length > (best?.length ?? -1) { best = (i, length) }
        }
        guard let best else { return (nil, epoch) }
        let entry = entries[best.index]
        if best.length * 2 >= entry.kv.count { return (entries.remove(at: best.index), epoch) }
        return (entry.prefix(best.length), epoch)
    }

    /// Keeps `newEntry` as the newest unless `reset()` was called since it was taken, dropping
    /// the oldest entries beyond `capacity` and `maxHeldTokens`.
    func put(_ newEntry: Entry, epoch takenAt: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard takenAt == epoch else { return }
        entries.insert(newEntry, at: 0)
        var held = 0
        var kept = 0
        for e in entries {
            if kept == capacity || (kept > 0 && held + e.kv.count > maxHeldTokens) { break }
            held += e.kv.count
            kept += 1
        }
        entries.removeLast(entries.count - kept)
    }
}

extension PrefixCache.Entry {
    /// The first `tokens` tokens of this entry, copied.
    func prefix(_ tokens: Int) -> PrefixCache.Entry {
        let n = min(tokens, kv.count)
        return PrefixCache.Entry(
            model: model, tokenIds: Array(tokenIds.prefix(n)), positions: positions.map { Array($0.prefix(n)) },
            images: images.filter { $0.start < n }, kv: kv.prefix(n))
    }

    /// How many leading tokens of a prompt (ids, positions, images by run start) these keys and
    /// values serve: the longest common prefix of (id, position) pairs, cut back to the start of
    /// the first image run whose image differs.
    func reusableLength(tokenIds ids: [Int], positions: [[Int]], images: [(start: Int, image: ProcessedImage)]) -> Int {
        let limit = min(tokenIds.count, ids.count)
        var common = 0
        while common < limit, tokenIds[common] == ids[common],
            self.positions[0][common] == positions[0][common],
            self.positions[1][common] == positions[1][common],
            self.positions[2][common] == positions[2][common]
        {
            common += 1
        }
        for run in images where run.start < common {
            let same = self.images.contains { $0.start == run.start && $0.image.hasSamePixels(as: run.image) }
            if !same { return run.start }
        }
        return common
    }
}

extension ProcessedImage {
    /// Same grid and equal pixel values: the vision tower would give the same features.
    func hasSamePixels(as other: ProcessedImage) -> Bool {
        gridTHW == other.gridTHW && patchElements == other.patchElements && mergeSize == other.mergeSize
            && pixelValues == other.pixelValues
    }
}
