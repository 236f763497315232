import AsyncHTTPClient
import Basics
import Foundation
import PhoneRig
import TetherTestSupport
import Testing
@testable import Daemon

/// Three real `tetherd` processes on one PostgreSQL store, four virtual phones each: jobs
/// submitted through one host run on all three; one host killed with SIGKILL mid-job has its
/// jobs interrupted and run again elsewhere, none twice and none lost; a phone of host B is
/// looked at through host A.
@Suite(.serialized) struct FleetTests {
    struct Host {
        let id: String
        let port: Int
        let state: URL
        let phones: [PhoneRig]
        var process: DaemonProcess?
    }

    @Test(.enabled(if: PostgresForTests.server != nil, "needs TETHER_TEST_POSTGRES (Scripts/test starts a server)"))
    func sixtyJobsOnThreeHostsSurviveAKillNine() async throws {
        let database = try await PostgresForTests.freshDatabase()
        let scratch = TemporaryDirectory()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var hosts: [Host] = []
        do {
            for name in ["a", "b", "c"] {
                var phones: [PhoneRig] = []
                for seed in 1...4 { phones.append(try await PhoneRig.start(seed: UInt64(seed))) }
                let state = scratch.url.appendingPathComponent(name)
                let port = try freePort()
                var arguments = [
                    "--state-dir", state.path, "--listen", "127.0.0.1:\(port)", "--store", database, "--host-id", name,
                    "--host-timeout", "3"
                ]
                for phone in phones { arguments += ["--device", "127.0.0.1:\(phone.port)"] }
                let process = try DaemonProcess(arguments, log: scratch.url.appendingPathComponent("\(name).log"))
                hosts.append(Host(id: name, port: port, state: state, phones: phones, process: process))
            }
            try await run(hosts, http: http, database: database)
        } catch {
            Issue.record("\(error)")
        }
        for host in hosts {
            await host.process?.kill(SIGTERM)
            if let log = try? String(contentsOf: host.process?.log ?? scratch.url, encoding: .utf8), log.contains("Fatal error") {
                Issue.record("host \(host.id) crashed: \(log.suffix(2000))")
            }
            for phone in host.phones { await phone.stop() }
        }
        try await http.shutdown()
    }

    func run(_ hosts: [Host], http: HTTPClient, database: String) async throws {
        var apis: [APIClient] = []
        for host in hosts { apis.append(try await RestartTests.client(http: http, port: host.port, state: host.state)) }
        let a = apis[0]
        // Host a lists all twelve phones, each with its host, once every host has heartbeated.
        var listed: [[String: Any]] = []
        for _ in 0..<300 {
            listed = try await a.call(.GET, "/v1/devices").array ?? []
            if listed.count == 12, listed.allSatisfy({ $0["state"] as? String == "online" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(listed.count == 12 && Set(listed.compactMap { $0["host"] as? String }) == ["a", "b", "c"], "\(listed)")

        // A phone of host b, looked at through host a: the screenshot is b's phone's, a real PNG.
        let serialOfB = "127.0.0.1:\(hosts[1].phones[0].port)"
        let shot = try await a.call(.GET, "/v1/devices/\(serialOfB)/screenshot")
        #expect(shot.status == 200 && shot.body.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(shot.status) \(shot.text.prefix(200))")
        #expect(shot.headers["X-Tether-Host"].first == "b")
        let direct = try await apis[1].call(.GET, "/v1/devices/\(serialOfB)/screenshot")
        #expect(direct.status == 200 && direct.headers["X-Tether-Host"].isEmpty)
        #expect(try await a.call(.GET, "/v1/devices/127.0.0.1:1/screenshot").status == 404, "a phone no host has")
        // One view: host a's web page, in a real browser, shows b's phone, drawn.
        if BrowserCheckTests.hasChromium {
            let venv = try await BrowserCheckTests.run([BrowserCheckTests.repository.appendingPathComponent("Scripts/peer-venv").path], timeout: .seconds(900))
            let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            let shots = ProcessInfo.processInfo.environment["TETHER_BROWSER_SHOTS"] ?? hosts[0].state.appendingPathComponent("shots").path
            let result = try await BrowserCheckTests.run(
                [
                    python, BrowserCheckTests.repository.appendingPathComponent("Scripts/browser-check").path,
                    "--url", "http://127.0.0.1:\(hosts[0].port)", "--token", a.token, "--serial", serialOfB, "--host", "b",
                    "--phase", "fleet", "--shots", shots
                ], timeout: .seconds(300))
            #expect(result.status == 0, "browser-check fleet:\n\(result.stdoutText)\(result.stderrText)")
        }

        // Sixty jobs through host a; each asks to run again if its host dies.
        var submitted: [String] = []
        for _ in 0..<60 {
            let job = Replies.job([Replies.home, Replies.home, Replies.home, Replies.finish], extra: ["retry": ["device_lost": true]])
            submitted.append(try #require(try await a.call(.POST, "/v1/jobs", json: job).json?["id"] as? String))
        }
        // Host c is killed once it has finished a job and runs others.
        var killedWhileRunning: [String] = []
        for _ in 0..<600 {
            let jobs = try await a.call(.GET, "/v1/jobs").array ?? []
            let onC = jobs.filter { $0["host"] as? String == "c" }
            killedWhileRunning = onC.filter { $0["status"] as? String == "running" }.compactMap { $0["id"] as? String }
            if !killedWhileRunning.isEmpty, onC.contains(where: { $0["status"] as? String == "succeeded" }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!killedWhileRunning.isEmpty, "host c ran a job")
        let killed = await hosts[2].process?.kill(SIGKILL)
        let killedAt = Date()
        #expect(killed == 128 + SIGKILL)

        // Everything ends: wait until no job is queued, running or waiting (bounded).
        var all: [[String: Any]] = []
        for _ in 0..<1200 {
            all = try await a.call(.GET, "/v1/jobs").array ?? []
            if all.allSatisfy({ !["queued", "running", "waiting"].contains($0["status"] as? String ?? "") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let byID = Dictionary(uniqueKeysWithValues: all.compactMap { j in (j["id"] as? String).map { ($0, j) } })
        let status = { (id: String) in byID[id]?["status"] as? String }
        // Each job killed with c is interrupted, once, and queued again as exactly one new job. A job
        // c finished between the last look and the kill is not one: only c marks its jobs
        // succeeded, so its end (stored to the second, rounded down) came before the kill.
        let requeuedFrom = try await requeues(all.compactMap { $0["id"] as? String }, database: database)
        let finishedBeforeTheKill = Set(
            killedWhileRunning.filter { id in
                guard status(id) == "succeeded", byID[id]?["host"] as? String == "c",
                    let ended = (byID[id]?["ended_at"] as? String).flatMap({ ISO8601DateFormatter().date(from: $0) })
                else { return false }
                return ended <= killedAt
            })
        let interrupted = killedWhileRunning.filter { !finishedBeforeTheKill.contains($0) }
        #expect(!interrupted.isEmpty, "a job was running on c when it was killed")
        for id in interrupted {
            #expect(status(id) == "interrupted", "\(byID[id] ?? [:])")
            #expect(requeuedFrom.filter { $0.value == id }.count == 1, "job \(id) queued again once")
        }
        // None lost, none twice: following each submitted job's chain of re-runs, exactly one
        // run succeeded, on a, b or (before the kill) c.
        for id in submitted {
            var chain = [id]
            while let next = requeuedFrom.first(where: { $0.value == chain.last })?.key { chain.append(next) }
            let succeeded = chain.filter { status($0) == "succeeded" }
            #expect(succeeded.count == 1, "job \(id): \(chain.map { "\($0): \(status($0) ?? "?")" })")
        }
        #expect(all.count == 60 + requeuedFrom.count)
        let ranOn = Set(all.filter { $0["status"] as? String == "succeeded" }.compactMap { $0["host"] as? String })
        #expect(ranOn == ["a", "b", "c"], "jobs ran on every host: \(ranOn)")
        // After the kill, host c's phones leave the registry.
        let now = try await a.call(.GET, "/v1/devices").array ?? []
        #expect(now.count == 8 && !now.contains { $0["host"] as? String == "c" }, "\(now.map { $0["host"] ?? "" })")
        // An episode host b recorded, read through host a.
        do {
            let onB = try #require(
                all.first(where: { $0["host"] as? String == "b" && $0["status"] as? String == "succeeded" })?["id"] as? String,
                "host b ran a job to success")
            let episode = try await a.call(.GET, "/v1/episodes/\(onB)")
            #expect(episode.status == 200 && episode.headers["X-Tether-Host"].first == "b", "\(episode.text.prefix(300))")
            // The episode list through a holds every alive host's episodes, each with its host.
            let listed = try await a.call(.GET, "/v1/episodes").array ?? []
            #expect(listed.contains { $0["id"] as? String == onB && $0["host"] as? String == "b" }, "\(listed.count) episodes")
            #expect(Set(listed.compactMap { $0["host"] as? String }) == ["a", "b"], "c is dead: its episodes are not reachable")
        }
    }

    /// Which job was queued again as which (new id → the interrupted job's id), read from the
    /// shared store: a re-queued job's first event names the job it replaces.
    func requeues(_ ids: [String], database: String) async throws -> [String: String] {
        let scratch = TemporaryDirectory()
        let store = try await Store.open(directory: scratch.url, location: database)
        var found: [String: String] = [:]
        for id in ids {
            guard let first = try await store.events(of: id).first,
                let payload = try JSONSerialization.jsonObject(with: Data(first.payload.utf8)) as? [String: Any],
                let after = payload["after"] as? String
            else { continue }
            found[id] = after
        }
        await store.database.close()
        return found
    }
}
