import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Every host answers the whole API: a request about a phone plugged into another host, or
/// about a job another host runs (cancel it, its episode, its test report), is passed on to that
/// host with its token (from the store), and its answer comes back as it is. A passed-on request
/// carries `X-Tether-Via`, so that it is never passed on again.
struct FleetProxyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: Store
    let devices: DeviceManager
    let identity: FleetIdentity
    static var via: String { HostRecord.viaHeader }

    static func wasPassedOn(_ request: Request) -> Bool { request.headers[HTTPField.Name(via)!] != nil }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.wasPassedOn(request), let owner = try await owner(of: request) else {
            return try await next(request, context)
        }
        return try await forward(request, to: owner)
    }

    /// The other host that should answer `request`, or nil when this one does.
    func owner(of request: Request) async throws -> HostRecord? {
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3, parts[0] == "v1" else { return nil }
        let me = identity.host
        switch parts[1] {
        case "devices":
            guard await devices.info(parts[2]) == nil else { return nil }
            return try await store.owner(ofDevice: parts[2], except: me)
        case "jobs" where parts.count == 4 && ["cancel", "results", "report"].contains(parts[3]):
            return try await jobHost(parts[2], runningOnly: parts[3] == "cancel")
        case "episodes":
            return try await jobHost(parts[2], runningOnly: false)
        default:
            return nil
        }
    }

    /// The host that ran (or runs) job `id`, when it is another one and alive.
    func jobHost(_ id: String, runningOnly: Bool) async throws -> HostRecord? {
        guard let job = try await store.job(id), let host = job.host, host != identity.host else { return nil }
        if runningOnly && job.status.isFinal { return nil }
        guard let record = try await store.host(host), record.state == .alive else { return nil }
        return record
    }

    func forward(_ request: Request, to owner: HostRecord) async throws -> Response {
        var outgoing = owner.request(request.uri.description, via: identity.host)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        let skipped: Set<String> = ["host", "authorization", "cookie", "connection", "content-length", "transfer-encoding"]
        for field in request.headers where !skipped.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        let body = try await request.body.collect(upTo: 32 << 20)
        if body.readableBytes > 0 { outgoing.body = .bytes(body) }
        let answer: HTTPClientResponse
        do { answer = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(120)) } catch {
            throw APIError(.badGateway, "host \(owner.id) (\(owner.url)), which has this, did not answer: \(error)")
        }
        var headers = HTTPFields()
        for (name, value) in answer.headers where !["connection", "transfer-encoding", "content-length"].contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        headers.append(HTTPField(name: HTTPField.Name("X-Tether-Host")!, value: owner.id))
        return Response(
            status: HTTPResponse.Status(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase), headers: headers,
            body: ResponseBody(asyncSequence: answer.body))
    }
}
