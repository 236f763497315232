/// Prompt-lookup drafting for speculative decoding: the phone agent's replies repeat text from
/// the prompt and from their own history (app names, texts to type, coordinates, the action
/// grammar), so the tokens that followed an earlier occurrence of the latest few tokens are a good
/// guess at what comes next. The guesses cost nothing to make; the model checks them all in one
/// batched pass and keeps the ones it would have produced itself (`GLM4VModel.generate`).
enum PromptLookup {
    /// Up to `limit` tokens that followed the most recent earlier occurrence of the longest
    /// suffix of `context` (from `maxMatch` tokens down to `minMatch`) found elsewhere in it;
    /// empty when there is none.
    static func draft(_ context: [Int], limit: Int, minMatch: Int = 2, maxMatch: Int = 4) -> [Int] {
        let count = context.count
        guard limit > 0, count > minMatch else { return [] }
        for size in stride(from: min(maxMatch, count - 1), through: minMatch, by: -1) {
            let suffixStart = count - size
            // The latest occurrence first: the reply's own recent text predicts it best.
            var start = suffixStart - 1
            while start >= 0 {
                var same = true
                for i in 0..<size where context[start + i] != context[suffixStart + i] {
                    same = false
                    break
                }
                if same {
                    let from = start + size
                    let end = min(from + limit, count)
                    if from < end { return Array(context[from..<end]) }
                }
                start -= 1
            }
        }
        return []
    }
}
