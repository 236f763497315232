import Basics
import Foundation
import Testing

@Suite struct BasicsValueTests {
    @Test func jsonRoundTripsAndWritesWholeNumbersWithoutAFraction() throws {
        let text = #"{"a":[1,2.5,"x",true,null],"b":{"c":-3}}"#
        let value = try JSON.decode(Array(text.utf8))
        #expect(value["a"]?.array?.count == 5 && value["b"]?["c"]?.int == -3 && value["a"]?.array?[1].int == nil)
        #expect(value.description == text)
        #expect(try JSON.decode(Array(value.prettyText.utf8)) == value)
        #expect(throws: (any Error).self) { try JSON.decode(Array("{\"a\":".utf8)) }
    }

    @Test func splitMix64RepeatsForASeedAndDiffersAcrossSeeds() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        // SplitMix64's published first output for seed 0.
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func lockedKeepsEveryUpdateFromManyThreads() async throws {
        let counter = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { try await ComputeThread.run { _ in for _ in 0..<10_000 { counter.withLock { $0 += 1 } } } }
            }
            try await group.waitForAll()
        }
        #expect(counter.value == 80_000)
        #expect(counter.exchange(1) == 80_000 && counter.value == 1)
    }

    @Test func aFreeLoopbackPortCanBeBound() throws {
        let port = try freeLoopbackPort()
        #expect(!(5555...5585).contains(port))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
    }
}
