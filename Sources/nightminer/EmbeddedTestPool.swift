import Logging
import MinerService
import ProofOfWork
import TestPool

/// The embedded test pool as the service's stand-in pool: what `serve` (unless `--no-test-pool`) and `demo`
/// mine when no pool is configured.
enum EmbeddedTestPool {
    /// Starts a test pool for the algorithm asked for, at `difficulty` (default: a share every few seconds on
    /// one core), with a new job every 30 s.
    static func standIn(difficulty: Double?) -> @Sendable (any ProofOfWork) async throws -> StandInPool {
        { algorithm in
            var configuration = TestPoolConfiguration(
                algorithm: algorithm, difficulty: difficulty ?? (algorithm.name == "scrypt" ? 0.2 : 0.005))
            configuration.jobInterval = .seconds(30)
            let pool = TestPoolServer(configuration: configuration, logger: Logger(label: "nightminer"))
            try await pool.start()
            return StandInPool(url: pool.url, service: pool, stop: { pool.stop() })
        }
    }
}
