import Foundation
import MiningEngine
import NightMiner
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The miner against the embedded pool misbehaving in every way it can (`TestPoolFault`): the miner stays
/// up, work resumes within 10 s of each fault, no duplicate or low-difficulty share is sent, and its
/// counts match the pool's.
@Suite(.serialized, .timeLimit(.minutes(5))) struct FaultTests {
    /// Mines the pool under `faults` for at least `lasting` and until `verdicts` shares have been answered,
    /// each within 10 s of the one before; then stops (the drain waits for the last answers) and compares
    /// the counts.
    @discardableResult
    func mine(under faults: Set<TestPoolFault>, verdicts: Int = 4, lasting: Duration = .milliseconds(1500),
              difficulty: Double = 1.0 / 8192) async throws -> (pool: TestPoolStatistics, miner: ShareStatistics) {
        let pool = try await Harness.pool(SHA256d(), difficulty: difficulty) { $0.faults = faults }
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "sha256d", threads: 1))
        let run = Harness.start(miner)
        var answered = 0
        var step = 0
        let started = ContinuousClock.now
        while step < verdicts || started.duration(to: .now) < lasting {
            let resumed = await Harness.waitUntil(seconds: 10) { pool.statistics.accepted + pool.statistics.rejectedTotal > answered }
            #expect(resumed, "no share answered within 10 s (step \(step), \(faults.map(\.rawValue)))")
            guard resumed else { break }
            answered = pool.statistics.accepted + pool.statistics.rejectedTotal
            step += 1
        }
        miner.stop()
        #expect(await run.value == nil)
        let stats = pool.statistics
        let ledger = miner.engine.ledger.snapshot
        #expect(stats.rejected[22] == nil && stats.rejected[23] == nil, "duplicate or low-difficulty shares: \(stats.rejected)")
        #expect(ledger.accepted == UInt64(stats.accepted), "miner \(ledger.accepted) accepted, pool \(stats.accepted)")
        #expect(ledger.rejectedTotal == UInt64(stats.rejectedTotal), "miner \(ledger.rejected), pool \(stats.rejected)")
        #expect(ledger.invalid == 0)
        return (stats, ledger)
    }

    /// The pool resumes each session (same extranonce1, the job in progress sent again): the old miner
    /// started that job over and sent the pool shares it already had (duplicates, code 22).
    @Test func droppedConnections() async throws {
        let (pool, _) = try await mine(under: [.drop])
        #expect(pool.connections >= 3 && pool.rejected.isEmpty, "\(pool.rejected)")
        #expect(pool.resumed >= 2, "sessions resumed: \(pool.resumed)")
    }

    @Test func clientReconnect() async throws {
        let (pool, _) = try await mine(under: [.reconnect])
        #expect(pool.connections >= 3 && pool.rejected.isEmpty, "\(pool.rejected)")
        #expect(pool.resumed >= 2, "sessions resumed: \(pool.resumed)")
    }

    @Test func aNewExtranonceMidSession() async throws {
        let (pool, _) = try await mine(under: [.setExtranonce])
        // Shares of the old extranonce1 still on the wire are stale (21), never invalid.
        #expect(pool.rejected.keys.allSatisfy { $0 == 21 }, "\(pool.rejected)")
        #expect(pool.accepted >= 2)
    }

    @Test func difficultyChangesBetweenNotifies() async throws {
        let (pool, _) = try await mine(under: [.difficulty], verdicts: 6)
        #expect(pool.rejected.keys.allSatisfy { $0 == 21 }, "\(pool.rejected)")
        #expect(pool.jobs >= 4, "only \(pool.jobs) jobs: the difficulty barely changed")
    }

    @Test func aCleanJobStorm() async throws {
        let (pool, _) = try await mine(under: [.cleanStorm])
        #expect(pool.rejected.keys.allSatisfy { $0 == 21 }, "\(pool.rejected)")
        #expect(pool.jobs >= 10, "only \(pool.jobs) jobs")
        #expect(pool.connections == 1)
    }

    @Test func garbageBetweenValidLines() async throws {
        let (pool, _) = try await mine(under: [.garbage])
        #expect(pool.rejected.isEmpty && pool.connections == 1)
    }

    @Test func slowAnswers() async throws {
        let (pool, miner) = try await mine(under: [.slow], verdicts: 2)
        #expect(pool.rejected.isEmpty && miner.lost == 0)
    }

    @Test func rejectAll() async throws {
        let (pool, miner) = try await mine(under: [.rejectAll])
        #expect(pool.accepted == 0 && pool.rejected.keys.allSatisfy { $0 == 20 })
        #expect(miner.rejected["other"] == UInt64(pool.rejectedTotal))
    }

    /// A pool that stops reading: the API keeps answering and the miner drops the pool and reconnects.
    @Test func aPoolThatStopsReading() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192) { $0.faults = [.stall] }
        defer { pool.stop() }
        let settings = Harness.settings(mining: pool, user: "w", threads: 1)
        let daemon = try await ControlPlaneTests.Daemon(settings: settings)
        _ = try daemon.service.startMining()
        var slowest = Duration.zero
        let clock = ContinuousClock()
        while pool.statistics.connections < 2, slowest < .seconds(1) {
            let started = clock.now
            let response = try await daemon.call("GET", "/stats", token: nil)
            slowest = max(slowest, started.duration(to: clock.now))
            #expect(response.status == 200)
            if started.duration(to: clock.now) < .milliseconds(50) { try await Task.sleep(for: .milliseconds(50)) }
            if daemon.service.miner?.snapshot.startedAt.map({ $0.duration(to: clock.now) > .seconds(60) }) == true { break }
        }
        print("slowest GET /stats while the pool stopped reading: \(slowest)")
        #expect(pool.statistics.connections >= 2, "the miner never dropped the stalled pool")
        #expect(slowest < .seconds(1), "GET /stats took \(slowest)")
        #expect(daemon.service.miner?.snapshot.pool.lastError?.contains("stopped reading") == true
                || pool.statistics.connections >= 2)
        await daemon.stop()
    }

    @Test func faultNamesAreParsed() throws {
        #expect(try TestPoolFault.parse("drop, slow,reject-all") == [.drop, .slow, .rejectAll])
        #expect(throws: TestPoolFault.UnknownFault.self) { try TestPoolFault.parse("drop,explode") }
    }
}
