import Foundation
import Hummingbird

/// Reading a request's JSON body, with errors that say what is wrong with it.
enum RequestJSON {
    /// The largest body any route accepts.
    static let maxBody = 1 << 20

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws(APIError) -> T {
        try decode(type, from: try await body(of: request))
    }

    /// The body, at most `maxBody` bytes and not empty.
    static func body(of request: Request) async throws(APIError) -> Data {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBody) } catch {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBody) bytes; send less")
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw .badRequest("the body is empty; send a JSON object") }
        return data
    }

    /// A job's `kind` ("run" when left out or null), read before the body is decoded as that kind.
    static func kind(of data: Data) throws(APIError) -> String {
        struct Kind: Decodable { var kind: String? }
        do { return try JSONDecoder().decode(Kind.self, from: data).kind ?? "run" } catch {
            throw .badRequest("the body is not what this route takes: \(explain(error))")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("the body is not what this route takes: \(explain(error))")
        }
    }

    static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \"\(path(context.codingPath + [key]))\""
        case DecodingError.typeMismatch(let type, let context):
            return "\"\(path(context.codingPath))\" has the wrong type (expected \(type))"
        case DecodingError.valueNotFound(let type, let context):
            return "\"\(path(context.codingPath))\" is null (expected \(type))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\"\(path(context.codingPath))\": \(context.debugDescription)"
        case let error as APIError:
            return error.message
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "(body)" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
