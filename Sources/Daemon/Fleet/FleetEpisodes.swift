import AsyncHTTPClient
import Foundation
import NIOCore

/// `GET /v1/episodes` in a fleet: this host's episodes and every other alive host's (asked with
/// its token, each list marked with its host), newest first. A host that does not answer within
/// 10 s is left out, not an error: the others' episodes are still worth showing.
enum FleetEpisodes {
    static func all(here: String, store: Store, fleet: FleetIdentity) async throws -> String {
        let others = try await store.hosts().filter { $0.state == .alive && $0.id != fleet.host }
        let lists = await withTaskGroup(of: (String, Data)?.self) { group in
            for host in others {
                group.addTask {
                    let request = host.request("/v1/episodes", via: fleet.host)
                    guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)), response.status == .ok,
                        let body = try? await response.body.collect(upTo: 64 << 20)
                    else { return nil }
                    return (host.id, Data(body.readableBytesView))
                }
            }
            return await group.reduce(into: [(String, Data)]()) { all, list in if let list { all.append(list) } }
        }
        var merged = marked(Data(here.utf8), host: fleet.host)
        for (host, body) in lists { merged += marked(body, host: host) }
        // Newest first, as one host lists them (the dates are ISO 8601 text of one encoder).
        merged.sort { a, b in
            let x = a["started_at"] as? String ?? "", y = b["started_at"] as? String ?? ""
            return x != y ? x > y : (a["id"] as? String ?? "") > (b["id"] as? String ?? "")
        }
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func marked(_ json: Data, host: String) -> [[String: Any]] {
        guard let list = (try? JSONSerialization.jsonObject(with: json)) as? [[String: Any]] else { return [] }
        return list.map { summary in
            var summary = summary
            summary["host"] = host
            return summary
        }
    }
}
