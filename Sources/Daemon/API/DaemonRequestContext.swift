import Hummingbird
import HummingbirdWebSocket

/// The request context of every route: Hummingbird's basics, the WebSocket upgrade, and the
/// body limit.
public struct DaemonRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<DaemonRequestContext>

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
    }

    public var maxUploadSize: Int { RequestJSON.maxBody }
}
