import Foundation
import Logging
import MinerService
import NightMiner
import ProofOfWork
import Stratum
import TestFixtures
import TestPool

/// Shared set-up for end-to-end tests: a real test pool on 127.0.0.1:0 and a real miner.
enum Harness {
    static func pool(_ algorithm: any ProofOfWork, difficulty: Double,
                     configure: (inout TestPoolConfiguration) -> Void = { _ in }) async throws -> TestPoolServer {
        var configuration = TestPoolConfiguration(algorithm: algorithm, difficulty: difficulty)
        configure(&configuration)
        let pool = TestPoolServer(configuration: configuration)
        try await pool.start()
        return pool
    }

    /// Service settings that mine `pool` (sha256d) as `user`.
    static func settings(mining pool: TestPoolServer, user: String = "w", threads: Int = 1, autostart: Bool = true) -> ServiceSettings {
        var settings = ServiceSettings(threads: threads)
        settings.pools = [.init(id: 1, url: pool.url, user: user, password: "x", algorithm: "sha256d", priority: 1)]
        settings.autostart = autostart
        return settings
    }

    static func configuration(for pool: TestPoolServer, user: String = "tester", password: String = "x",
                              algorithm: String, threads: Int = 2) throws -> MinerConfiguration {
        var configuration = MinerConfiguration(
            pools: [try PoolEndpoint(url: pool.url, user: user, password: password)], algorithm: algorithm, threads: threads)
        configuration.statusInterval = nil
        configuration.client.minimumReconnectDelay = .milliseconds(100)
        configuration.client.maximumReconnectDelay = .milliseconds(400)
        configuration.client.tickMilliseconds = 100
        return configuration
    }

    /// The same for a condition that blocks (a request over a socket): each check runs on a thread of its
    /// own, never on the cooperative pool.
    static func waitUntilOffThePool(seconds: Double = 60, _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if (try? await offThePool(condition)) == true { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (try? await offThePool(condition)) == true
    }

    /// Polls `condition` every 20 ms for up to `seconds`; returns whether it became true.
    static func waitUntil(seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Runs the miner in a task; the returned task ends when the miner stops.
    static func start(_ miner: Miner) -> Task<(any Error)?, Never> {
        Task {
            do {
                try await miner.run()
                return nil
            } catch {
                return error
            }
        }
    }
}
