import Basics
import Foundation
import TetherTestSupport
import Testing
@testable import Daemon

@Suite struct StoreTests {
    let scratch = TemporaryDirectory()
    func store() throws -> Store { try Store(directory: scratch.url.appendingPathComponent("state")) }

    @Test func aRealSQLiteFileInWALModeThatReopens() throws {
        let first = try store()
        #expect(try first.journalMode() == "wal")
        let job = try first.enqueue(kind: "run", spec: #"{"task":"Turn off Wi-Fi"}"#)
        // A second opening (a restart) finds the same file and migrates nothing twice.
        let second = try store()
        #expect(try second.job(job.id)?.spec == #"{"task":"Turn off Wi-Fi"}"#)
        // The file is SQLite as the sqlite3 library reads it: the header says so.
        let header = try Data(contentsOf: second.url).prefix(16)
        #expect(String(decoding: header, as: UTF8.self) == "SQLite format 3\u{0}")
    }

    @Test func theQueueIsFirstInFirstOutAndRespectsTheNamedPhone() throws {
        let s = try store()
        #expect(try !s.hasQueuedJob(for: "emulator-5554"), "an empty queue: the runner leaves the phone free")
        let a = try s.enqueue(kind: "run", spec: "{}")
        let b = try s.enqueue(kind: "run", spec: "{}", device: "emulator-5556")
        let c = try s.enqueue(kind: "run", spec: "{}")
        // A phone takes the oldest job that names it or no phone.
        #expect(try s.hasQueuedJob(for: "emulator-5554"))
        #expect(try s.claimNext(for: "emulator-5554")?.id == a.id)
        #expect(try s.claimNext(for: "emulator-5554")?.id == c.id)
        #expect(try !s.hasQueuedJob(for: "emulator-5554"), "b names another phone")
        #expect(try s.claimNext(for: "emulator-5554") == nil, "b waits for its own phone")
        #expect(try s.hasQueuedJob(for: "emulator-5556"))
        let claimed = try #require(try s.claimNext(for: "emulator-5556"))
        #expect(claimed.id == b.id && claimed.status == .running && claimed.device == "emulator-5556" && claimed.attempts == 1)
        #expect(try !s.hasQueuedJob(for: "emulator-5556"))
    }

    @Test func concurrentClaimsNeverShareAJob() async throws {
        let s = try store()
        for _ in 0..<40 { _ = try s.enqueue(kind: "run", spec: "{}") }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for phone in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try s.claimNext(for: "phone-\(phone)") { mine.append(job.id) }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
        #expect(try s.jobs(status: .queued).isEmpty)
    }

    @Test func aRestartInterruptsWhatWasRunningAndKeepsTheQueue() throws {
        let s = try store()
        let running = try s.enqueue(kind: "run", spec: "{}", requeueOnInterrupt: true)
        let waiting = try s.enqueue(kind: "run", spec: "{}")
        let queued = try s.enqueue(kind: "run", spec: "{}", device: "elsewhere")
        _ = try s.claimNext(for: "p1")
        _ = try s.claimNext(for: "p2")
        let question = try s.ask(waiting.id, kind: "confirm", prompt: "Send the SMS?")
        try s.progress(running.id, steps: 3, episode: "episodes/x")

        let recovered = try store().recoverAfterRestart()
        #expect(recovered.interrupted == [running.id, waiting.id])
        #expect(recovered.requeued.count == 1)
        let after = try store()
        #expect(try after.job(running.id)?.status == .interrupted)
        #expect(try after.job(running.id)?.episode == "episodes/x", "the episode stays attached")
        #expect(try after.job(waiting.id)?.status == .interrupted)
        #expect(try after.job(queued.id)?.status == .queued)
        let again = try #require(try after.job(recovered.requeued[0]))
        #expect(again.status == .queued && again.spec == running.spec && again.message.contains(running.id))
        #expect(try after.questions(of: waiting.id).map(\.status) == [.expired])
        #expect(throws: StoreError.self) { try after.answer(question.id, with: "yes") }
    }

    @Test func aQuestionPutsTheJobInWaitingAndItsAnswerResumesIt() throws {
        let s = try store()
        let job = try s.enqueue(kind: "run", spec: "{}")
        #expect(throws: StoreError.self) { try s.ask(job.id, kind: "confirm", prompt: "?") }  // not running yet
        _ = try s.claimNext(for: "p")
        let q = try s.ask(job.id, kind: "confirm", prompt: "Pay 5 €?")
        #expect(try s.job(job.id)?.status == .waiting)
        let answered = try s.answer(q.id, with: "approve")
        #expect(answered.status == .answered && answered.answer == "approve")
        #expect(try s.job(job.id)?.status == .running)
        #expect(throws: StoreError.self) { try s.answer(q.id, with: "again") }
        let kinds = try s.events(of: job.id).map(\.kind)
        #expect(kinds == ["status", "status", "question", "answer"])
    }

    @Test func finalStatesStayFinal() throws {
        let s = try store()
        let job = try s.enqueue(kind: "run", spec: "{}")
        _ = try s.claimNext(for: "p")
        try s.finish(job.id, status: .succeeded, message: "done")
        let raced = try s.finish(job.id, status: .cancelled, message: "too late")
        #expect(raced.status == .succeeded && raced.message == "done")
        #expect(throws: StoreError.self) { try s.finish(job.id, status: .running, message: "") }
        #expect(throws: StoreError.self) { try s.finish("no-such-job", status: .failed, message: "") }
    }

    @Test func hostileSpecsAndPayloadsAreRefusedNotStored() throws {
        let s = try store()
        for bad in ["", "[]", "\"x\"", "{", "{\"a\":}", "null"] {
            #expect(throws: StoreError.self, "\(bad)") { try s.enqueue(kind: "run", spec: bad) }
        }
        #expect(try s.jobs().isEmpty)
        let job = try s.enqueue(kind: "run", spec: #"{"task":"'; DROP TABLE job; --"}"#)
        #expect(try s.job(job.id)?.spec.contains("DROP TABLE") == true)
        #expect(try s.jobs().count == 1)
        let event = try s.append(event: "step", payload: ["n": 1, "text": "a\"b\n"], to: job.id)
        #expect(event.payload == #"{"n":1,"text":"a\"b\n"}"#)
        // The event comes back with the id the store gave it (what a subscriber resumes after).
        let stored = try s.events(of: job.id).last?.id
        #expect(event.id != nil && event.id == stored)
        #expect(throws: StoreError.self) { try s.append(event: "step", payload: [:], to: "missing") }
    }

    @Test func theStateDirectoryFollowsXDGThenHome() {
        #expect(StateDirectory.resolve(explicit: "/srv/t", environment: [:]).path == "/srv/t")
        #expect(StateDirectory.resolve(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/a"]).path == "/x/state/tether")
        #expect(StateDirectory.resolve(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/a"]).path == "/home/a/.local/state/tether")
        #expect(StateDirectory.resolve(environment: ["HOME": "/home/a"]).path == "/home/a/.local/state/tether")
    }
}
