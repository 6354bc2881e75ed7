import Foundation
import MiningEngine
import NightMiner
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The whole miner (stratum client + engine) against the embedded pool over real loopback TCP.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MinerAgainstTestPoolTests {
    func mineUntilAccepted(_ algorithm: any ProofOfWork, difficulty: Double, shares: Int,
                           configurePool: (inout TestPoolConfiguration) -> Void = { _ in }) async throws {
        let pool = try await Harness.pool(algorithm, difficulty: difficulty, configure: configurePool)
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: algorithm.name))
        let run = Harness.start(miner)
        let reached = await Harness.waitUntil { pool.statistics.accepted >= shares }
        miner.stop()
        #expect(await run.value == nil)
        #expect(reached, "only \(pool.statistics.accepted) shares accepted")
        let stats = pool.statistics
        #expect(stats.rejected.isEmpty, "rejected: \(stats.rejected)")
        let ledger = miner.engine.ledger.snapshot
        #expect(ledger.accepted == UInt64(stats.accepted))
        #expect(ledger.rejectedTotal == 0 && ledger.invalid == 0)
        #expect(ledger.acceptedDifficulty >= Double(stats.accepted) * difficulty * 0.999)
        #expect(miner.snapshot.state == .stopped)
    }

    @Test func sha256dSharesAreAccepted() async throws {
        try await mineUntilAccepted(SHA256d(), difficulty: 1.0 / 8192, shares: 6)
    }

    @Test func scryptSharesAreAccepted() async throws {
        try await mineUntilAccepted(Scrypt(), difficulty: 0.02, shares: 6)
    }

    @Test func ckpoolStyleSubscribeAndLongExtranonce2Work() async throws {
        try await mineUntilAccepted(SHA256d(), difficulty: 1.0 / 8192, shares: 3) {
            $0.subscribeReplyStyle = .ckpool
            $0.extranonce2Size = 8
        }
    }

    @Test func aCleanJobMovesEveryThreadAndNothingStaleIsSubmitted() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "sha256d"))
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil { pool.statistics.accepted >= 2 })
        let newJob = pool.broadcastJob(clean: true)
        #expect(await Harness.waitUntil(seconds: 5) { miner.snapshot.job?.id == newJob })
        #expect(await Harness.waitUntil(seconds: 5) {
            let epochs = miner.engine.epochs
            return epochs.threads.allSatisfy { $0 == epochs.board }
        })
        let acceptedBefore = pool.statistics.accepted
        #expect(await Harness.waitUntil { pool.statistics.accepted >= acceptedBefore + 3 })
        miner.stop()
        _ = await run.value
        let stats = pool.statistics
        // A share already on the wire when the pool voids its job is stale on any real pool too; at most
        // that (code 21), nothing else, and everything after the switch is for the new job.
        #expect(stats.rejected.keys.allSatisfy { $0 == 21 } && stats.rejectedTotal <= 2, "rejected: \(stats.rejected)")
        #expect(stats.acceptedJobIDs.suffix(3).allSatisfy { $0 == newJob })
    }

    @Test func aRaisedDifficultyIsRespectedAtOnce() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 65536)
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "sha256d"))
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil { pool.statistics.accepted >= 5 })
        // The running job was sent at the old difficulty; the pool now also holds new shares to the new one.
        pool.setDifficulty(1.0 / 4096)
        #expect(await Harness.waitUntil(seconds: 5) { miner.snapshot.difficulty == 1.0 / 4096 })
        let before = pool.statistics.accepted
        #expect(await Harness.waitUntil { pool.statistics.accepted >= before + 3 })
        miner.stop()
        _ = await run.value
        #expect(pool.statistics.rejected.isEmpty, "rejected: \(pool.statistics.rejected)")
        #expect(miner.snapshot.job == nil)
    }

    @Test func wrongCredentialsAreReportedClearly() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1) { $0.credentials = ["alice": "right"] }
        defer { pool.stop() }
        var configuration = try Harness.configuration(for: pool, user: "alice", password: "wrong", algorithm: "sha256d")
        configuration.stopOnAuthorizationFailure = true
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        let outcome = await run.value
        let error = try #require(outcome as? MinerError)
        guard case .authorizationRefused(let why) = error else {
            Issue.record("expected authorizationRefused, got \(error)")
            return
        }
        #expect(why.contains("alice") && why.contains("Unauthorized"))
        #expect(!why.contains("wrong"))
        #expect(pool.statistics.authorizationsRefused == 1)

        // As a service it keeps running and shows the problem instead.
        configuration.stopOnAuthorizationFailure = false
        let service = try Miner(configuration: configuration)
        let serviceRun = Harness.start(service)
        #expect(await Harness.waitUntil(seconds: 10) { service.snapshot.pool.lastError?.contains("Unauthorized") == true })
        #expect(service.snapshot.state == .connecting)
        service.stop()
        #expect(await serviceRun.value == nil)
    }

    @Test func minerReconnectsWhenThePoolClosesTheConnection() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "sha256d"))
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil { pool.statistics.accepted >= 2 })
        pool.disconnectAll()
        #expect(await Harness.waitUntil(seconds: 10) { pool.statistics.connections >= 2 })
        let before = pool.statistics.accepted
        #expect(await Harness.waitUntil { pool.statistics.accepted >= before + 2 })
        miner.stop()
        _ = await run.value
        #expect(pool.statistics.rejected.isEmpty, "rejected: \(pool.statistics.rejected)")
    }

    @Test func anUnreachablePoolIsRetriedAndReported() async throws {
        let listener = try TestSocket.listen(host: "127.0.0.1", port: 0)
        TestSocket.close(listener.fd)  // nothing listens on this port now
        var configuration = MinerConfiguration(pools: [try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(listener.port)", user: "u", password: "p")],
                                               algorithm: "sha256d", threads: 1)
        configuration.statusInterval = nil
        configuration.client.minimumReconnectDelay = .milliseconds(50)
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil(seconds: 10) { miner.snapshot.pool.lastError?.contains("refused") == true })
        miner.stop()
        #expect(await run.value == nil)
    }

    @Test func unknownAlgorithmsAndBadSettingsAreRefused() throws {
        let pool = try PoolEndpoint(url: "stratum+tcp://127.0.0.1:1", user: "u", password: "p")
        #expect(throws: MinerError.self) { try Miner(configuration: MinerConfiguration(pools: [pool], algorithm: "x11")) }
        #expect(throws: MinerError.self) { try Miner(configuration: MinerConfiguration(pools: [pool], algorithm: "scrypt", threads: 0)) }
        #expect(throws: MinerError.self) { try Miner(configuration: MinerConfiguration(pools: [], algorithm: "scrypt")) }
    }
}
