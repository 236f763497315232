import Foundation
import TetherTestSupport
import Testing
@testable import Daemon

/// The store's part of a fleet, on both stores: hosts and heartbeats, the phones each lists, the
/// reaping of a silent host (exactly once), and claims from several openings at once.
@Suite struct FleetStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreKind.available) func hostsHeartbeatWithTheirPhones(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let a = try await fixture.open(), b = try await fixture.open()
        try await a.register(host: "a", url: "http://127.0.0.1:1", token: "ta", at: t0)
        try await b.register(host: "b", url: "http://127.0.0.1:2", token: "tb", at: t0)
        let phone = DeviceInfo(serial: "127.0.0.1:5555", address: "127.0.0.1:5555", state: .busy, model: "Pixel", job: "j1")
        #expect(try await b.heartbeat(host: "b", devices: [phone], at: t0.addingTimeInterval(1)))
        #expect(try await a.heartbeat(host: "a", devices: [], at: t0.addingTimeInterval(1)))
        let seen = try await a.remoteDevices(except: "a")
        #expect(seen.map(\.serial) == ["127.0.0.1:5555"] && seen.first?.host == "b" && seen.first?.state == .busy && seen.first?.job == "j1")
        #expect(try await a.remoteDevices(except: "b").isEmpty, "a lists no phones")
        let owner = try #require(try await a.owner(ofDevice: "127.0.0.1:5555", except: "a"))
        #expect(owner.id == "b" && owner.url == "http://127.0.0.1:2" && owner.token == "tb")
        #expect(try await a.owner(ofDevice: "127.0.0.1:5555", except: "b") == nil, "a host does not pass a request to itself")
        // A heartbeat replaces the list: a phone unplugged from b leaves it.
        #expect(try await b.heartbeat(host: "b", devices: [], at: t0.addingTimeInterval(2)))
        #expect(try await a.remoteDevices(except: "a").isEmpty)
        // A host that stopped on purpose lists nothing and is not a proxy target.
        #expect(try await b.heartbeat(host: "b", devices: [phone], at: t0.addingTimeInterval(3)))
        try await b.leave(host: "b")
        #expect(try await a.remoteDevices(except: "a").isEmpty)
        #expect(try await a.hosts().map(\.state) == [.alive, .stopped])
    }

    @Test(arguments: StoreKind.available) func aSilentHostIsReapedExactlyOnce(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let dying = try await fixture.open()
        try await dying.register(host: "dying", url: "http://127.0.0.1:1", token: "t", at: t0)
        let again = try await dying.enqueue(kind: "run", spec: "{}", requeueOnInterrupt: true, at: t0)
        let once = try await dying.enqueue(kind: "run", spec: "{}", at: t0)
        let waiting = try await dying.enqueue(kind: "run", spec: "{}", at: t0)
        let queued = try await dying.enqueue(kind: "run", spec: "{}", device: "elsewhere", at: t0)
        for phone in ["p1", "p2", "p3"] { _ = try await dying.claimNext(for: phone, host: "dying", at: t0) }
        _ = try await dying.ask(waiting.id, kind: "confirm", prompt: "?", at: t0)
        // A live host's own job is not touched.
        let others = try await fixture.open()
        try await others.register(host: "alive", url: "http://127.0.0.1:2", token: "t", at: t0.addingTimeInterval(30))
        let theirs = try await others.enqueue(kind: "run", spec: "{}", at: t0)
        _ = try await others.claimNext(for: "p9", host: "alive", at: t0)

        // Three hosts reap at once, after the timeout: the dying host's jobs end once.
        let reapers = [others, try await fixture.open(), try await fixture.open()]
        let results = try await withThrowingTaskGroup(of: [Store.Reaped].self) { group in
            for reaper in reapers { group.addTask { try await reaper.reapHosts(silentSince: self.t0.addingTimeInterval(10), at: self.t0.addingTimeInterval(11)) } }
            return try await group.reduce(into: [Store.Reaped]()) { $0 += $1 }
        }
        #expect(results.map(\.host) == ["dying"], "one reaper took it: \(results)")
        #expect(Set(results.flatMap(\.interrupted)) == [again.id, once.id, waiting.id])
        #expect(results.flatMap(\.requeued).count == 1)
        for id in [again.id, once.id, waiting.id] {
            let job = try #require(try await others.job(id))
            #expect(job.status == .interrupted && job.message.contains("host dying stopped heartbeating"))
            let statuses = try await others.events(of: id).filter { $0.kind == "status" }.map(\.payload)
            #expect(statuses.filter { $0.contains("interrupted") }.count == 1, "interrupted exactly once: \(statuses)")
        }
        let requeued = try #require(try await others.job(results[0].requeued[0]))
        #expect(requeued.status == .queued && requeued.spec == again.spec && requeued.host == nil)
        #expect(try await others.job(queued.id)?.status == .queued)
        #expect(try await others.job(theirs.id)?.status == .running)
        #expect(try await others.questions(of: waiting.id).map(\.status) == [.expired])
        // Reaping again finds nothing; the dead host learns at its next heartbeat.
        #expect(try await others.reapHosts(silentSince: t0.addingTimeInterval(20), at: t0.addingTimeInterval(21)).isEmpty)
        #expect(try await !dying.heartbeat(host: "dying", devices: [], at: t0.addingTimeInterval(22)))
        // A late end from the dead host does not overwrite the interruption.
        let late = try await dying.finish(once.id, status: .succeeded, message: "done late")
        #expect(late.status == .interrupted)
        try await dying.register(host: "dying", url: "http://127.0.0.1:1", token: "t", at: t0.addingTimeInterval(23))
        #expect(try await dying.heartbeat(host: "dying", devices: [], at: t0.addingTimeInterval(24)))
    }

    @Test(arguments: StoreKind.available) func hostsClaimingTogetherNeverShareAJob(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let first = try await fixture.open()
        for _ in 0..<60 { _ = try await first.enqueue(kind: "run", spec: "{}") }
        let hosts = [first, try await fixture.open(), try await fixture.open()]
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for (h, store) in hosts.enumerated() {
                for phone in 0..<4 {
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await store.claimNext(for: "h\(h)-p\(phone)", host: "h\(h)") { mine.append(job.id) }
                        return mine
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 60 && Set(claimed).count == 60)
        let jobs = try await first.jobs()
        #expect(jobs.allSatisfy { $0.status == .running && $0.attempts == 1 && $0.host != nil })
        // The queue's order held: sequence numbers are unique and without gaps.
        #expect(jobs.map(\.seq) == Array(1...60))
    }

    @Test(arguments: StoreKind.available) func hostsStartingTogetherMigrateOnce(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let stores = try await withThrowingTaskGroup(of: Store.self) { group in
            for _ in 0..<3 { group.addTask { try await fixture.open() } }
            return try await group.reduce(into: [Store]()) { $0.append($1) }
        }
        #expect(stores.count == 3)
        let job = try await stores[0].enqueue(kind: "run", spec: "{}")
        #expect(try await stores[2].job(job.id)?.id == job.id)
    }
}
