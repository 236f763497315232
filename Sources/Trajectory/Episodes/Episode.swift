import Foundation

/// An episode read back from its folder: what the run was, and its steps in order.
public struct Episode: Sendable, Equatable {
    public var directory: URL
    public var info: EpisodeInfo
    public var steps: [StepRecord]

    /// Reads an episode folder of any format up to the current one. Older formats are upgraded
    /// as they are read (format 1 wrote `sampling`'s keys in camel case).
    public init(contentsOf directory: URL) throws(EpisodeError) {
        self.directory = directory
        let infoURL = directory.appendingPathComponent("episode.json")
        let stepsURL = directory.appendingPathComponent("steps.jsonl")
        let decoder = EpisodeJSON.decoder()
        let infoData: Data
        do { infoData = try Data(contentsOf: infoURL) } catch {
            throw EpisodeError("cannot read \(infoURL.path): \(error.localizedDescription); is \(directory.path) an episode folder?")
        }
        do {
            info = try decoder.decode(EpisodeInfo.self, from: try Episode.upgrade(infoData))
        } catch let error as EpisodeError {
            throw EpisodeError("\(infoURL.path): \(error.message)")
        } catch {
            throw EpisodeError("\(infoURL.path) is not a valid episode.json: \(Episode.explain(error))")
        }
        let text: String
        do { text = try String(contentsOf: stepsURL, encoding: .utf8) } catch {
            throw EpisodeError("cannot read \(stepsURL.path): \(error.localizedDescription)")
        }
        var steps: [StepRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                steps.append(try decoder.decode(StepRecord.self, from: Data(line.utf8)))
            } catch {
                throw EpisodeError("\(stepsURL.path), line \(index + 1): \(Episode.explain(error))")
            }
        }
        self.steps = steps
    }

    /// `episode.json` in the current format's keys.
    static func upgrade(_ data: Data) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EpisodeError("not a JSON object")
        }
        let format = object["format"] as? Int ?? 0
        guard (1...EpisodeInfo.currentFormat).contains(format) else {
            throw EpisodeError("episode format \(object["format"].map { "\($0)" } ?? "(missing)") is not supported; this Tether reads formats 1 to \(EpisodeInfo.currentFormat)")
        }
        if format == 1, var sampling = object["sampling"] as? [String: Any] {
            for (old, new) in [("maxTokens", "max_tokens"), ("topP", "top_p"), ("frequencyPenalty", "frequency_penalty")] {
                if let value = sampling.removeValue(forKey: old) { sampling[new] = value }
            }
            object["sampling"] = sampling
        }
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(Episode.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(Episode.path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(Episode.path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "(top)" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
