import Agent
import Foundation
import TetherTestSupport
import Testing

/// A pool of model servers for one model name: round robin over the healthy ones, back-off on
/// 429/503 and on a dead server, the next server tried at once, a wait when all back off.
@Suite(.serialized) struct EndpointPoolTests {
    func backend(_ pool: EndpointPool) -> OpenAIBackend {
        OpenAIBackend(
            configuration: .init(
                baseURL: "http://unused.invalid/v1", model: "autoglm-phone-9b", readTimeout: .seconds(10), connectTimeout: .seconds(1), requestTimeout: .seconds(20),
                retryDelay: .milliseconds(20), pool: pool))
    }

    @Test func requestsGoRoundRobinAndAnOverloadedServerBacksOff() async throws {
        let overloaded = try FakeOpenAIServer { _, _ in .json(status: 503, body: #"{"error":{"message":"overloaded"}}"#) }
        let healthy = try FakeOpenAIServer { _, _ in .events(FakeOpenAIServer.chunks(Replies.launch)) }
        let spare = try FakeOpenAIServer { _, _ in .events(FakeOpenAIServer.chunks(Replies.launch)) }
        let pool = EndpointPool(model: "autoglm-phone-9b", endpoints: [overloaded.baseURL, healthy.baseURL, spare.baseURL])
        let b = backend(pool)
        for _ in 0..<5 {
            let reply = try await b.complete(sampleRequest(image: nil), onText: nil)
            #expect(reply.text == Replies.launch)
        }
        try await b.shutdown()
        // The overloaded server was asked once, then skipped while it backs off; the two others
        // shared the five requests in turn.
        #expect(overloaded.requests.count == 1)
        #expect(healthy.requests.count + spare.requests.count == 5 && abs(healthy.requests.count - spare.requests.count) == 1)
        let status = pool.status
        #expect(status.map(\.healthy) == [false, true, true] && status[0].failures == 1 && status[0].error?.contains("503") == true)
        // A health check that reaches it again ends the back-off.
        pool.checked(overloaded.baseURL, healthy: true)
        #expect(pool.status.map(\.healthy) == [true, true, true])
        for server in [overloaded, healthy, spare] { try await server.stop() }
    }

    @Test func aDeadServerIsSkippedAndTheRequestGoesOnAtOnce() async throws {
        let healthy = try FakeOpenAIServer { _, _ in .events(FakeOpenAIServer.chunks(Replies.launch)) }
        let dead = "http://127.0.0.1:\(try freePort())/v1"
        let pool = EndpointPool(model: "m", endpoints: [dead, healthy.baseURL])
        let b = backend(pool)
        #expect(try await b.complete(sampleRequest(image: nil), onText: nil).text == Replies.launch)
        #expect(try await b.complete(sampleRequest(image: nil), onText: nil).text == Replies.launch)
        try await b.shutdown()
        #expect(healthy.requests.count == 2)
        #expect(pool.status.map(\.healthy) == [false, true])
        try await healthy.stop()
    }

    @Test func whenEveryServerBacksOffTheRequestWaitsForTheFirstBack() async throws {
        let server = try FakeOpenAIServer { _, n in
            n == 1 ? .json(status: 429, body: "slow down") : .events(FakeOpenAIServer.chunks(Replies.launch))
        }
        let pool = EndpointPool(model: "m", endpoints: [server.baseURL])
        let b = backend(pool)
        #expect(try await b.complete(sampleRequest(image: nil), onText: nil).text == Replies.launch)
        try await b.shutdown()
        try await server.stop()
        #expect(server.requests.count == 2)
        #expect(pool.status.map(\.healthy) == [true], "an answer ends the back-off")
    }

    @Test func aCancelledJobStopsWaitingForAServer() async throws {
        let pool = EndpointPool(model: "m", endpoints: ["http://127.0.0.1:1/v1"])
        pool.failed("http://127.0.0.1:1/v1", retryAfter: .seconds(3600), reason: "test")
        let waiting = Task { try await pool.take() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
    }
}
