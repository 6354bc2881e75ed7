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

    /// A pool that refuses the worker hands over to the backup pool; only when every pool refused does a
    /// miner that stops on refusals (the CLI) stop.
    @Test func aRefusingPoolFailsOverToTheBackupAndOnlyAllRefusingStops() async throws {
        let refusing = try await Harness.pool(SHA256d(), difficulty: 1) { $0.credentials = ["alice": "right"] }
        let backup = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        let alsoRefusing = try await Harness.pool(SHA256d(), difficulty: 1) { $0.credentials = ["bob": "right"] }
        defer { refusing.stop(); backup.stop(); alsoRefusing.stop() }
        var configuration = try Harness.configuration(for: refusing, user: "alice", password: "wrong", algorithm: "sha256d")
        configuration.pools.append(try PoolEndpoint(url: backup.url, user: "alice", password: "wrong"))
        configuration.stopOnAuthorizationFailure = true
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil(seconds: 20) { backup.statistics.accepted >= 2 })
        miner.stop()
        #expect(await run.value == nil)
        #expect(refusing.statistics.authorizationsRefused == 1)

        configuration.pools[1] = try PoolEndpoint(url: alsoRefusing.url, user: "alice", password: "wrong")
        let refused = try Miner(configuration: configuration)
        let outcome = await Harness.start(refused).value
        #expect((outcome as? MinerError).map { if case .authorizationRefused = $0 { true } else { false } } == true, "\(String(describing: outcome))")
        #expect(refusing.statistics.authorizationsRefused == 2 && alsoRefusing.statistics.authorizationsRefused == 1)
    }

    /// An unreachable first pool is tried three times (with backoff), then the backup takes over.
    @Test func anUnreachablePoolFailsOverToTheBackup() async throws {
        let listener = try TestSocket.listen(host: "127.0.0.1", port: 0)
        TestSocket.close(listener.fd)  // nothing listens on this port now
        let backup = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { backup.stop() }
        var configuration = try Harness.configuration(for: backup, algorithm: "sha256d")
        configuration.pools.insert(try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(listener.port)", user: "u", password: "p"), at: 0)
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil(seconds: 20) { backup.statistics.accepted >= 2 })
        #expect(miner.snapshot.pool.url == backup.url)
        let statuses = miner.pools.map(\.status)
        #expect(statuses.map(\.state) == [.failing, .active], "\(statuses)")
        #expect(statuses[0].lastError?.contains("refused") == true && statuses[1].failures == 0)
        miner.stop()
        #expect(await run.value == nil)
    }

    /// With the primary down the backup mines; once the primary is back and stays healthy in the probes
    /// for --failback-after, the miner moves back to it.
    @Test func failsBackToThePrimaryOnceItIsHealthyAgain() async throws {
        let primary = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        let port = primary.port
        primary.stop()  // down
        let backup = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { backup.stop() }
        var configuration = try Harness.configuration(for: backup, algorithm: "sha256d")
        configuration.pools.insert(try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(port)", user: "tester", password: "x"), at: 0)
        configuration.client.failbackAfter = .seconds(1)
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil(seconds: 20) { backup.statistics.accepted >= 2 })
        let revived = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192) { $0.port = port }
        defer { revived.stop() }
        #expect(await Harness.waitUntil(seconds: 30) { revived.statistics.accepted >= 2 }, "no failback to the primary")
        #expect(miner.snapshot.pool.url == configuration.pools[0].url)
        #expect(revived.statistics.authorized >= 2, "probes authorize before the failback")
        miner.stop()
        #expect(await run.value == nil)
        let ledger = miner.engine.ledger.snapshot
        #expect(ledger.accepted == UInt64(backup.statistics.accepted + revived.statistics.accepted))
        // Each pool's count is its own: the results carry the pool that gave them.
        let perPool = miner.pools.map(\.shares.accepted)
        #expect(perPool == [UInt64(revived.statistics.accepted), UInt64(backup.statistics.accepted)], "\(perPool)")
        #expect(miner.pools.allSatisfy { $0.shares.rejectedTotal == 0 })
    }

    /// `-a` per pool: a backup pool that names another algorithm is mined with it (the jobs, the engine's
    /// kernel and the snapshot follow the pool in use).
    @Test func aBackupPoolMinesItsOwnAlgorithm() async throws {
        let listener = try TestSocket.listen(host: "127.0.0.1", port: 0)
        TestSocket.close(listener.fd)  // the scrypt primary is down
        let backup = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { backup.stop() }
        var configuration = try Harness.configuration(for: backup, algorithm: "scrypt")
        configuration.pools[0].algorithm = "sha256d"
        configuration.pools.insert(try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(listener.port)", user: "u", password: "p"), at: 0)
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil(seconds: 20) { backup.statistics.accepted >= 2 })
        #expect(miner.snapshot.algorithm == "sha256d" && miner.snapshot.kernel.hasPrefix("sha256d"), "\(miner.snapshot.kernel)")
        miner.stop()
        #expect(await run.value == nil)
        #expect(backup.statistics.rejected.isEmpty)
        #expect(miner.pools[1].shares.accepted == UInt64(backup.statistics.accepted))

        var unknown = configuration
        unknown.pools[1].algorithm = "nosuch"
        #expect(throws: MinerError.self) { try Miner(configuration: unknown) }
    }

    @Test func unknownAlgorithmsAndBadSettingsAreRefused() throws {
        let pool = try PoolEndpoint(url: "stratum+tcp://127.0.0.1:1", user: "u", password: "p")
        #expect(throws: MinerError.self) { try Miner(configuration: MinerConfiguration(pools: [pool], algorithm: "x11")) }
        #expect(throws: MinerError.self) { try Miner(configuration: MinerConfiguration(pools: [pool], algorithm: "scrypt", threads: 0)) }
        #expect(throws: MinerError.self) { try Miner(configuration: MinerConfiguration(pools: [], algorithm: "scrypt")) }
    }

    /// The pool flags pair by position; one given once applies to every pool.
    @Test func poolFlagsPairByPosition() throws {
        var flags = PoolFlags()
        flags.urls = ["stratum+tcp://a:1", "stratum+ssl://b:2"]
        flags.users = ["w"]
        flags.passwords = ["p1", "p2"]
        flags.algorithms = ["SHA256d", "scrypt"]
        flags.tlsFingerprints = [String(repeating: "ab", count: 32)]
        flags.suggestDifficulty = [4]
        let pools = try flags.endpoints()
        #expect(pools.map(\.user) == ["w", "w"] && pools.map(\.password) == ["p1", "p2"])
        #expect(pools.map(\.algorithm) == ["sha256d", "scrypt"])
        #expect(pools[0].tls == nil && pools[1].tls?.fingerprint?.count == 32)
        #expect(pools.map(\.suggestDifficulty) == [4, 4] && pools.allSatisfy(\.extranonceSubscribe))
        flags.algorithms = ["sha256d", "scrypt", "sha256d"]
        #expect(throws: MinerError.self) { try flags.endpoints() }
    }
}
