import Foundation
import Hummingbird
import Trajectory

/// `/v1/episodes`: the episodes the daemon's jobs recorded (`<state>/episodes/<job id>/`), read
/// with the episode reader, and each step's screenshot. An episode id is a job id: letters,
/// digits and `-` only, so no id can name a path; a screenshot's path, read from `steps.jsonl`,
/// must stay inside its episode folder.
extension DaemonAPI {
    func addEpisodeRoutes(to router: Router<DaemonRequestContext>) {
        let folders = EpisodeFolders(root: store.directory.appendingPathComponent("episodes", isDirectory: true))
        let store = self.store, fleet = self.fleet
        router.get("/v1/episodes") { request, _ in
            let here = try EpisodeFolders.encode(folders.summaries())
            // In a fleet, every alive host's episodes (each marked with its host), unless this
            // request was itself passed on by another host.
            guard let fleet, !FleetProxyMiddleware<DaemonRequestContext>.wasPassedOn(request) else { return JSONResponse.raw(here) }
            return JSONResponse.raw(try await FleetEpisodes.all(here: here, store: store, fleet: fleet))
        }
        router.get("/v1/episodes/:id") { _, context in
            let episode = try folders.episode(try Self.parameter("id", context))
            return JSONResponse.raw(try EpisodeFolders.encode(EpisodeView(id: episode.directory.lastPathComponent, info: episode.info, steps: episode.steps)))
        }
        router.get("/v1/episodes/:id/steps/:n/screenshot") { _, context in
            let id = try Self.parameter("id", context)
            guard let n = Int(try Self.parameter("n", context)), n >= 1 else {
                throw APIError.badRequest("the step number must be a whole number ≥ 1")
            }
            let (bytes, type) = try folders.screenshot(of: id, step: n)
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}

/// An episode as `GET /v1/episodes/{id}` shows it: `episode.json` and every line of `steps.jsonl`.
struct EpisodeView: Encodable {
    var id: String
    var info: EpisodeInfo
    var steps: [StepRecord]
}

/// An episode in the list: enough to choose one.
struct EpisodeSummary: Encodable {
    var id: String
    var task: String?
    var status: String?
    var message: String?
    var steps: Int?
    var backend: String?
    var startedAt: Date?
    var endedAt: Date?
    /// Why the folder could not be read, when it could not.
    var error: String?

    enum CodingKeys: String, CodingKey {
        case id, task, status, message, steps, backend, error
        case startedAt = "started_at", endedAt = "ended_at"
    }
}

/// The episode folders under `<state>/episodes`, reached only by checked names.
struct EpisodeFolders: Sendable {
    let root: URL

    /// A job id (a lowercase UUID), or any name of letters, digits, `-` and `_`: never `.`, `/`
    /// or `%`, so it cannot leave the episodes folder.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { c in (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 }
    }

    /// Every episode, newest first; one that cannot be read is listed with the reason.
    func summaries() -> [EpisodeSummary] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let list = names.filter(Self.isValidID).compactMap { name -> EpisodeSummary? in
            var isDirectory: ObjCBool = false
            let folder = root.appendingPathComponent(name, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
            do {
                let episode = try Episode(contentsOf: folder)
                let info = episode.info
                return EpisodeSummary(
                    id: name, task: info.task, status: info.outcome.status.rawValue, message: info.outcome.message,
                    steps: episode.steps.count, backend: info.backend, startedAt: info.startedAt, endedAt: info.endedAt)
            } catch {
                return EpisodeSummary(id: name, error: (error as? EpisodeError)?.message ?? "\(error)")
            }
        }
        return list.sorted { a, b in
            let x = a.startedAt ?? .distantPast, y = b.startedAt ?? .distantPast
            return x != y ? x > y : a.id > b.id
        }
    }

    func episode(_ id: String) throws(APIError) -> Episode {
        guard Self.isValidID(id) else {
            throw .badRequest("an episode id is a job id (letters, digits, -); GET /v1/episodes lists them")
        }
        let folder = root.appendingPathComponent(id, isDirectory: true)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("episode.json").path) else {
            throw .notFound("no episode \(id); GET /v1/episodes lists them")
        }
        do { return try Episode(contentsOf: folder) } catch {
            throw APIError(.init(code: 422), "episode \(id) cannot be read: \(error.message)")
        }
    }

    /// The bytes and content type of step `n`'s screenshot.
    func screenshot(of id: String, step n: Int) throws(APIError) -> ([UInt8], String) {
        let episode = try episode(id)
        guard let step = episode.steps.first(where: { $0.step == n }) else {
            throw .notFound("episode \(id) has no step \(n) (it has \(episode.steps.count))")
        }
        guard let screen = step.screen else { throw .notFound("step \(n) of episode \(id) has no screenshot") }
        let folder = episode.directory.resolvingSymlinksInPath().standardizedFileURL.path
        let file = episode.directory.appendingPathComponent(screen).resolvingSymlinksInPath().standardizedFileURL
        let types = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"]
        guard file.path.hasPrefix(folder + "/"), let type = types[file.pathExtension.lowercased()] else {
            throw .notFound("step \(n) of episode \(id) names a screenshot outside its folder or not an image (\(screen)); it is not served")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .notFound("the screenshot of step \(n) of episode \(id) is missing (\(screen))")
        }
        return ([UInt8](data), type)
    }

    static func encode(_ value: some Encodable) throws(APIError) -> String {
        do { return String(decoding: try EpisodeJSON.encoder(pretty: false).encode(value), as: UTF8.self) } catch {
            throw APIError(.init(code: 422), "the episode cannot be encoded: \(error)")
        }
    }
}
