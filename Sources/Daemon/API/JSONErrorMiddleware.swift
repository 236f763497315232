import Hummingbird

/// Turns Hummingbird's own errors (no such route, a method the route does not take, a body it
/// refused) into the API's `{"error": "…"}` answers.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = "no route \(request.method) \(request.uri.path); the routes are in docs/api.yaml"
            case .methodNotAllowed: message = "\(request.method) is not allowed on \(request.uri.path); see docs/api.yaml"
            case .contentTooLarge: message = "the body is larger than \(RequestJSON.maxBody) bytes; send less"
            default: message = error.body ?? error.status.reasonPhrase
            }
            throw APIError(error.status, message)
        }
    }
}
