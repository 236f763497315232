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
/// One entry is kept: the newest call's (about 80 KiB per token for the 9B model, plus its
/// images). A call takes the entry while it runs and puts it back when it ends (on failure or
/// cancellation, truncated to what is still valid), so a second call made while the first runs
/// finds no entry and runs the whole prompt instead of waiting.
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

    // `lock` guards `entry` and `epoch`; every access below holds it.
    private let lock = NSLock()
    private var entry: Entry?
    /// Bumped by `reset()` so that a call running during a reset does not put its entry back.
    private var epoch = 0

    public init() {}

    /// Drops the kept entry, freeing its memory; the next call runs its whole prompt.
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        entry = nil
        epoch += 1
    }

    /// Tokens whose keys and values are kept (0 while a call holds the entry).
    public var heldTokens: Int {
        lock.lock()
        defer { lock.unlock() }
        return entry?.kv.count ?? 0
    }

    /// Takes the entry out (so the caller owns its arrays and can extend them in place).
    func take() -> (entry: Entry?, epoch: Int) {
        lock.lock()
        defer { lock.unlock() }
        let taken = entry
        entry = nil
        return (taken, epoch)
    }

    /// Keeps `newEntry` unless `reset()` was called since it was taken.
    func put(_ newEntry: Entry, epoch takenAt: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard takenAt == epoch else { return }
        entry = newEntry
    }
}

extension PrefixCache.Entry {
    /// How many leading tokens of a prompt (ids, positions, images by run start) these keys and
    /// values serve: the longest common prefix of (id, position) pairs, cut back to the start of
    /// the first image run whose image differs.
    func reusableLength(tokenIds ids: [Int], positions: [[Int]], images: [(start: Int, image: ProcessedImage)]) -> Int {
        let limit = min(tokenIds.count, ids.count)
        var common = 0
        while common < limit, tokenIds[common] == ids[common],
              self.positions[0][common] == positions[0][common],
              self.positions[1][common] == positions[1][common],
              self.positions[2][common] == positions[2][common] {
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
