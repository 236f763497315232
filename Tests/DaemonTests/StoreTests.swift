import Basics
import Foundation
import TetherTestSupport
import Testing
@testable import Daemon

@Suite struct StoreTests {
    @Test(arguments: StoreKind.available) func aRealStoreThatReopensAndMigratesOnce(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let first = try await fixture.open()
        #expect(try await first.journalMode() == (kind == .sqlite ? "wal" : nil))
        let job = try await first.enqueue(kind: "run", spec: #"{"task":"Turn off Wi-Fi"}"#)
        // A second opening (a restart) finds the same file and migrates nothing twice.
        let second = try await fixture.open()
        #expect(try await second.job(job.id)?.spec == #"{"task":"Turn off Wi-Fi"}"#)
        // The file is SQLite as the sqlite3 library reads it: the header says so.
        if kind == .sqlite {
            let header = try Data(contentsOf: try #require(second.url)).prefix(16)
            #expect(String(decoding: header, as: UTF8.self) == "SQLite format 3\u{0}")
        } else {
            #expect(second.url == nil && second.database.dialect == .postgres)
        }
    }

    @Test(arguments: StoreKind.available) func theQueueIsFirstInFirstOutAndRespectsTheNamedPhone(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        #expect(try await !s.hasQueuedJob(for: "emulator-5554"), "an empty queue: the runner leaves the phone free")
        let a = try await s.enqueue(kind: "run", spec: "{}")
        let b = try await s.enqueue(kind: "run", spec: "{}", device: "emulator-5556")
        let c = try await s.enqueue(kind: "run", spec: "{}")
        // A phone takes the oldest job that names it or no phone.
        #expect(try await s.hasQueuedJob(for: "emulator-5554"))
        #expect(try await s.claimNext(for: "emulator-5554")?.id == a.id)
        #expect(try await s.claimNext(for: "emulator-5554")?.id == c.id)
        #expect(try await !s.hasQueuedJob(for: "emulator-5554"), "b names another phone")
        #expect(try await s.claimNext(for: "emulator-5554") == nil, "b waits for its own phone")
        #expect(try await s.hasQueuedJob(for: "emulator-5556"))
        let claimed = try #require(try await s.claimNext(for: "emulator-5556"))
        #expect(claimed.id == b.id && claimed.status == .running && claimed.device == "emulator-5556" && claimed.attempts == 1)
        #expect(try await !s.hasQueuedJob(for: "emulator-5556"))
    }

    @Test(arguments: StoreKind.available) func aJobAskingForAModelWaitsForAPhoneOfIt(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        let pixel = try await s.enqueue(kind: "run", spec: "{}", model: "Pixel 8", requeueOnInterrupt: true)
        let any = try await s.enqueue(kind: "run", spec: "{}")
        #expect(try await s.job(pixel.id)?.requestedModel == "Pixel 8")
        // A phone of another model, or of no known model, passes the Pixel's job by.
        #expect(try await s.claimNext(for: "galaxy", model: "SM-S911B")?.id == any.id)
        #expect(try await !s.hasQueuedJob(for: "unknown", model: nil))
        #expect(try await s.claimNext(for: "unknown", model: nil) == nil)
        #expect(try await s.hasQueuedJob(for: "pixel", model: "Pixel 8"))
        let claimed = try #require(try await s.claimNext(for: "pixel", model: "Pixel 8", host: "h"))
        #expect(claimed.id == pixel.id && claimed.device == "pixel" && claimed.host == "h")
        // Interrupted and queued again, it still asks for the model.
        let again = try await s.recoverAfterRestart().requeued
        #expect(try await s.job(try #require(again.first))?.requestedModel == "Pixel 8")
    }

    @Test(arguments: StoreKind.available) func concurrentClaimsNeverShareAJob(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        for _ in 0..<40 { _ = try await s.enqueue(kind: "run", spec: "{}") }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for phone in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try await s.claimNext(for: "phone-\(phone)") { mine.append(job.id) }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
        #expect(try await s.jobs(status: .queued).isEmpty)
    }

    @Test(arguments: StoreKind.available) func aRestartInterruptsWhatWasRunningAndKeepsTheQueue(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        let running = try await s.enqueue(kind: "run", spec: "{}", requeueOnInterrupt: true)
        let waiting = try await s.enqueue(kind: "run", spec: "{}")
        let queued = try await s.enqueue(kind: "run", spec: "{}", device: "elsewhere")
        _ = try await s.claimNext(for: "p1")
        _ = try await s.claimNext(for: "p2")
        let question = try await s.ask(waiting.id, kind: "confirm", prompt: "Send the SMS?")
        try await s.progress(running.id, steps: 3, episode: "episodes/x")

        let recovered = try await fixture.open().recoverAfterRestart()
        #expect(recovered.interrupted == [running.id, waiting.id])
        #expect(recovered.requeued.count == 1)
        let after = try await fixture.open()
        #expect(try await after.job(running.id)?.status == .interrupted)
        #expect(try await after.job(running.id)?.episode == "episodes/x", "the episode stays attached")
        #expect(try await after.job(waiting.id)?.status == .interrupted)
        #expect(try await after.job(queued.id)?.status == .queued)
        let again = try #require(try await after.job(recovered.requeued[0]))
        #expect(again.status == .queued && again.spec == running.spec && again.message.contains(running.id))
        #expect(try await after.questions(of: waiting.id).map(\.status) == [.expired])
        await #expect(throws: StoreError.self) { try await after.answer(question.id, with: "yes") }
    }

    @Test(arguments: StoreKind.available) func aQuestionPutsTheJobInWaitingAndItsAnswerResumesIt(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        let job = try await s.enqueue(kind: "run", spec: "{}")
        await #expect(throws: StoreError.self) { try await s.ask(job.id, kind: "confirm", prompt: "?") }  // not running yet
        _ = try await s.claimNext(for: "p")
        let q = try await s.ask(job.id, kind: "confirm", prompt: "Pay 5 €?")
        #expect(try await s.job(job.id)?.status == .waiting)
        let answered = try await s.answer(q.id, with: "approve")
        #expect(answered.status == .answered && answered.answer == "approve")
        #expect(try await s.job(job.id)?.status == .running)
        await #expect(throws: StoreError.self) { try await s.answer(q.id, with: "again") }
        let kinds = try await s.events(of: job.id).map(\.kind)
        #expect(kinds == ["status", "status", "question", "answer"])
    }

    @Test(arguments: StoreKind.available) func finalStatesStayFinal(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        let job = try await s.enqueue(kind: "run", spec: "{}")
        _ = try await s.claimNext(for: "p")
        try await s.finish(job.id, status: .succeeded, message: "done")
        let raced = try await s.finish(job.id, status: .cancelled, message: "too late")
        #expect(raced.status == .succeeded && raced.message == "done")
        await #expect(throws: StoreError.self) { try await s.finish(job.id, status: .running, message: "") }
        await #expect(throws: StoreError.self) { try await s.finish("no-such-job", status: .failed, message: "") }
    }

    @Test(arguments: StoreKind.available) func hostileSpecsAndPayloadsAreRefusedNotStored(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        for bad in ["", "[]", "\"x\"", "{", "{\"a\":}", "null"] {
            await #expect(throws: StoreError.self, "\(bad)") { try await s.enqueue(kind: "run", spec: bad) }
        }
        #expect(try await s.jobs().isEmpty)
        let job = try await s.enqueue(kind: "run", spec: #"{"task":"'; DROP TABLE job; --"}"#)
        #expect(try await s.job(job.id)?.spec.contains("DROP TABLE") == true)
        #expect(try await s.jobs().count == 1)
        let event = try await s.append(event: "step", payload: ["n": 1, "text": "a\"b\n"], to: job.id)
        #expect(event.payload == #"{"n":1,"text":"a\"b\n"}"#)
        // The event comes back with the id the store gave it (what a subscriber resumes after).
        let stored = try await s.events(of: job.id).last?.id
        #expect(event.id != nil && event.id == stored)
        await #expect(throws: StoreError.self) { try await s.append(event: "step", payload: [:], to: "missing") }
    }

    @Test(arguments: StoreKind.available) func aCancelledTaskStillRecordsHowItsJobEnded(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let s = try await fixture.open()
        let job = try await s.enqueue(kind: "run", spec: "{}")
        _ = try await s.claimNext(for: "p")
        // A job stopped by a cancel or a shutdown runs its last writes in a cancelled task.
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            try await s.append(event: "step", payload: ["n": 2], to: job.id)
            return try await s.finish(job.id, status: .interrupted, message: "stopped")
        }
        task.cancel()
        #expect(try await task.value.status == .interrupted)
        #expect(try await s.events(of: job.id).map(\.kind) == ["status", "status", "step", "status"])
    }

    @Test func theStateDirectoryFollowsXDGThenHome() {
        #expect(StateDirectory.resolve(explicit: "/srv/t", environment: [:]).path == "/srv/t")
        #expect(StateDirectory.resolve(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/a"]).path == "/x/state/tether")
        #expect(StateDirectory.resolve(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/a"]).path == "/home/a/.local/state/tether")
        #expect(StateDirectory.resolve(environment: ["HOME": "/home/a"]).path == "/home/a/.local/state/tether")
    }
}
