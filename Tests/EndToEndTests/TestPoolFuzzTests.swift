import Foundation
import NightMiner
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The embedded test pool is also a tool people point their own miners at, so damaged miner lines must
/// neither stop it nor spoil what it does for a well-behaved miner afterwards.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TestPoolFuzzTests {
    /// Lines shaped like what real miners send.
    static let seeds = [
        #"{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5.1"]}"#,
        #"{"id":2,"method":"mining.authorize","params":["tester","x"]}"#,
        #"{"id":3,"method":"mining.submit","params":["tester","1","00000000","647025b5","1d2c3a4b"]}"#,
        #"{"id":4,"method":"mining.extranonce.subscribe","params":[]}"#,
        #"{"id":5,"method":"mining.suggest_difficulty","params":[0.5]}"#,
        #"{"id":6,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"1fffe000"}]}"#,
    ]

    /// Reads and discards what the pool sends for `milliseconds` (so its replies never fill the socket).
    static func drain(_ fd: Int32, milliseconds: Int32) -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = TestSocket.receive(fd, into: buffer, timeoutMilliseconds: milliseconds)
            if count < 0 { return false }
            if count == 0 { return true }
        }
    }

    @Test func damagedMinerLinesNeitherStopThePoolNorSpoilItsShares() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        // Connections opened as a real miner would (subscribe, authorize, so the submit paths are reached),
        // then 600 damaged lines each, in batches, reading the replies between batches.
        try await offThePool {
            var random = LineMutator.Generator(state: 7)
            for _ in 0..<5 {
                let fd = try TestSocket.connect(host: "127.0.0.1", port: pool.port)
                defer { TestSocket.close(fd) }
                _ = TestSocket.sendAll(fd, Self.seeds[0] + "\n" + Self.seeds[1] + "\n")
                for _ in 0..<12 {
                    var batch = ""
                    for _ in 0..<50 { batch += LineMutator.mutate(Self.seeds[random.below(Self.seeds.count)], &random) + "\n" }
                    guard TestSocket.sendAll(fd, batch), Self.drain(fd, milliseconds: 5) else { break }
                }
            }
        }
        #expect(pool.statistics.connections >= 5)
        // Then a real miner on the same pool: its shares are accepted, none rejected.
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "sha256d"))
        let run = Harness.start(miner)
        let reached = await Harness.waitUntil(seconds: 30) { miner.engine.ledger.snapshot.accepted >= 3 }
        miner.stop()
        #expect(await run.value == nil)
        #expect(reached, "the pool accepted \(miner.engine.ledger.snapshot.accepted) shares after the damaged lines")
        #expect(miner.engine.ledger.snapshot.rejectedTotal == 0)
    }
}
