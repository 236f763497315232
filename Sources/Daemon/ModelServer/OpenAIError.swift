import Basics
import Foundation
import Hummingbird

/// An answer of the model server that is not a success, in the shape OpenAI clients read:
/// `{"error": {"message": "…", "type": "invalid_request_error", "param": "messages", "code": null}}`.
struct OpenAIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    var type: String
    /// The request field at fault, when one is.
    var param: String?
    var code: String?
    /// Seconds to wait before trying again (`Retry-After`), for 429 and 503.
    var retryAfter: Int?

    init(
        _ status: HTTPResponse.Status, _ message: String, type: String? = nil, param: String? = nil,
        code: String? = nil, retryAfter: Int? = nil
    ) {
        self.status = status
        self.message = message
        self.type = type ?? Self.type(of: status)
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    var description: String { message }

    /// A request the server will not take as it is: what is wrong and what to send.
    static func invalid(_ message: String, param: String? = nil) -> OpenAIError {
        OpenAIError(.badRequest, message, param: param)
    }

    static let noModel = OpenAIError(
        .notFound,
        "this daemon serves no model: start tetherd with --model DIR (or \"model\" in its config file) to serve a checkpoint at /v1/chat/completions",
        code: "model_not_loaded")

    static func type(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "server_error"
        }
    }

    var json: JSON {
        .object([
            "error": .object([
                "message": .string(message), "type": .string(type),
                "param": param.map(JSON.string) ?? .null, "code": code.map(JSON.string) ?? .null
            ])
        ])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Gives the model server's routes (`/v1/models`, `/v1/chat/completions`) OpenAI's error shape
/// for every failure, the token check and unknown routes included, so that OpenAI clients show
/// the message. Added before the token check, so that it wraps it.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    static func isModelServerPath(_ path: String) -> Bool {
        path == "/v1/models" || path.hasPrefix("/v1/models/") || path.hasPrefix("/v1/chat/")
    }

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard Self.isModelServerPath(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            throw error
        } catch let error as APIError {
            throw OpenAIError(error.status, error.message)
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = "no route \(request.method) \(request.uri.path); the model server has GET /v1/models and POST /v1/chat/completions"
            case .methodNotAllowed: message = "\(request.method) is not allowed on \(request.uri.path)"
            default: message = error.body ?? error.status.reasonPhrase
            }
            throw OpenAIError(error.status, message)
        }
    }
}
