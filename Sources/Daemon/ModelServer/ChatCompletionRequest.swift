import Basics
import Imaging
import Inference

/// What `POST /v1/chat/completions` asks for, checked: the conversation in the engine's terms
/// (its images decoded), the sampling parameters the engine supports, and how to answer.
/// Fields the engine has no use for are ignored; a known field of the wrong type or out of range
/// is refused with a message naming it.
struct ChatCompletionRequest: Sendable {
    var model: String
    var messages: [ChatMessage]
    var images: [Image]
    var options: GenerationOptions
    var stream: Bool
    /// A last chunk with `usage` (`stream_options.include_usage`).
    var includeUsage: Bool

    /// The largest body taken: a few full-size screenshots as PNG data URIs.
    static let maxBody = 64 << 20

    /// The default reply length when `max_tokens` is not given: what the context leaves.
    init(_ body: JSON, contextLength: Int) throws(OpenAIError) {
        guard let object = body.object else { throw .invalid("the body must be a JSON object") }
        guard let model = object["model"]?.string, !model.isEmpty else {
            throw .invalid("\"model\" is missing or not a string; GET /v1/models gives the name", param: "model")
        }
        self.model = model
        guard let list = object["messages"]?.array, !list.isEmpty else {
            throw .invalid("\"messages\" must be a non-empty array of {\"role\", \"content\"}", param: "messages")
        }
        var messages: [ChatMessage] = []
        var images: [Image] = []
        for (i, m) in list.enumerated() {
            let turn = try Self.message(m, at: i)
            messages.append(turn.message)
            images += turn.images
        }
        self.messages = messages
        self.images = images

        let p = Parameters(object)
        stream = try p.bool("stream") ?? false
        if let options = object["stream_options"], !options.isNull {
            guard let o = options.object else { throw .invalid("\"stream_options\" must be an object", param: "stream_options") }
            includeUsage = try Parameters(o).bool("include_usage", prefix: "stream_options.") ?? false
        } else {
            includeUsage = false
        }
        if let n = try p.int("n"), n != 1 { throw .invalid("\"n\" must be 1: this server gives one choice", param: "n") }

        var options = GenerationOptions()
        var maxTokens = try p.int("max_completion_tokens")
        if maxTokens == nil { maxTokens = try p.int("max_tokens") }
        if let maxTokens, !(1...contextLength).contains(maxTokens) {
            throw .invalid(
                "\"max_tokens\" must be 1…\(contextLength) (the model's context holds \(contextLength) tokens, prompt included), not \(maxTokens)",
                param: "max_tokens")
        }
        options.maxTokens = maxTokens ?? contextLength
        if let t = try p.number("temperature") {
            guard (0...2).contains(t) else { throw .invalid("\"temperature\" must be 0…2 (0 is greedy), not \(t)", param: "temperature") }
            options.temperature = Float(t)
        }
        if let t = try p.number("top_p") {
            guard t > 0, t <= 1 else { throw .invalid("\"top_p\" must be in (0, 1], not \(t)", param: "top_p") }
            options.topP = Float(t)
        }
        if let f = try p.number("frequency_penalty") {
            guard (-2...2).contains(f) else { throw .invalid("\"frequency_penalty\" must be -2…2, not \(f)", param: "frequency_penalty") }
            options.frequencyPenalty = Float(f)
        }
        if let f = try p.number("presence_penalty"), f != 0 {
            throw .invalid("\"presence_penalty\" is not supported by this engine: send 0 or leave it out (frequency_penalty is)", param: "presence_penalty")
        }
        // Without a seed each request samples its own way, as OpenAI's and vLLM's do.
        options.seed = UInt64.random(in: .min ... .max)
        if let seed = object["seed"], !seed.isNull {
            guard let s = seed.int else { throw .invalid("\"seed\" must be a whole number", param: "seed") }
            options.seed = UInt64(bitPattern: Int64(s))
        }
        options.stopSequences = try Self.stop(object["stop"])
        self.options = options
    }

    /// One message: a role and its content, a string or an array of `text` and `image_url` parts.
    static func message(_ value: JSON, at index: Int) throws(OpenAIError) -> (message: ChatMessage, images: [Image]) {
        let param = "messages[\(index)]"
        guard let object = value.object else { throw .invalid("\(param) must be an object with \"role\" and \"content\"", param: param) }
        guard let roleName = object["role"]?.string else { throw .invalid("\(param).role is missing or not a string", param: "\(param).role") }
        let role: ChatMessage.Role
        switch roleName {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        default:
            throw .invalid("\(param).role must be system, user or assistant, not \"\(roleName)\" (tools are not supported)", param: "\(param).role")
        }
        var texts: [String] = []
        var images: [Image] = []
        switch object["content"] {
        case .string(let text)?:
            texts = [text]
        case .array(let parts)?:
            for (j, part) in parts.enumerated() {
                let at = "\(param).content[\(j)]"
                switch part["type"]?.string {
                case "text":
                    guard let text = part["text"]?.string else { throw .invalid("\(at).text must be a string", param: at) }
                    texts.append(text)
                case "image_url":
                    guard role == .user else { throw .invalid("\(at): only user messages may carry images", param: at) }
                    let url = part["image_url"]?["url"]?.string ?? part["image_url"]?.string
                    guard let url else { throw .invalid("\(at).image_url.url must be a string", param: at) }
                    images.append(try ImageDataURL.decode(url, param: "\(at).image_url.url"))
                default:
                    throw .invalid("\(at).type must be \"text\" or \"image_url\"", param: "\(at).type")
                }
            }
        case .null?, nil:
            guard role == .assistant else { throw .invalid("\(param).content is missing", param: "\(param).content") }
        default:
            throw .invalid("\(param).content must be a string or an array of parts", param: "\(param).content")
        }
        // As vLLM renders a list of parts for this model: the images first, then the texts
        // joined by a newline.
        return (ChatMessage(role: role, text: texts.joined(separator: "\n"), imageCount: images.count), images)
    }

    /// `stop`: a string or an array of up to 4 strings.
    static func stop(_ value: JSON?) throws(OpenAIError) -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let s)?: return [s]
        case .array(let items)?:
            let strings = items.compactMap(\.string)
            guard strings.count == items.count, strings.count <= 4 else {
                throw .invalid("\"stop\" must be a string or an array of at most 4 strings", param: "stop")
            }
            return strings
        default:
            throw .invalid("\"stop\" must be a string or an array of at most 4 strings", param: "stop")
        }
    }
}

/// Typed reads of optional top-level fields: absent or null is nil, another type is a 400.
private struct Parameters {
    let object: [String: JSON]
    init(_ object: [String: JSON]) { self.object = object }

    func value(_ key: String) -> JSON? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    func number(_ key: String) throws(OpenAIError) -> Double? {
        guard let v = value(key) else { return nil }
        guard let n = v.double, n.isFinite else { throw .invalid("\"\(key)\" must be a number", param: key) }
        return n
    }

    func int(_ key: String) throws(OpenAIError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = v.int else { throw .invalid("\"\(key)\" must be a whole number", param: key) }
        return n
    }

    func bool(_ key: String, prefix: String = "") throws(OpenAIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw .invalid("\"\(prefix)\(key)\" must be true or false", param: prefix + key) }
        return b
    }
}
