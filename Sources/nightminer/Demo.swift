import ArgumentParser
import Foundation
import Logging
import MiningEngine
import NightMiner
import ProofOfWork
import Stratum
import TestPool

/// `nightminer demo`: the embedded test pool and a miner in one process, so you can watch shares being
/// found and accepted with nothing else installed.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mine against the embedded test pool in the same process.")

    @Option(name: [.customShort("a"), .customLong("algo")], help: "scrypt or sha256d.")
    var algorithm = "scrypt"

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Hashing threads (default: one per core).")
    var threads: Int?

    @Option(help: "Share difficulty (default: a share every few seconds).")
    var difficulty: Double?

    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).")
    var seconds: Double?

    @Option(help: "Seconds between status lines.")
    var statusInterval: Double = 10

    @Flag(name: [.customShort("P"), .customLong("dump-protocol")], help: "Print every stratum line.")
    var dumpProtocol = false

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Print debug messages.")
    var debug = false

    func validate() throws {
        try AlgorithmRegistryNames.validate(algorithm)
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        if let difficulty, !(difficulty > 0 && difficulty.isFinite) { throw ValidationError("--difficulty must be positive") }
        if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be positive") }
        guard statusInterval > 0 else { throw ValidationError("--status-interval must be positive") }
    }

    func run() async throws {
        ConsoleLogHandler.bootstrap(level: debug ? .debug : .info)
        let logger = Logger(label: "nightminer")
        let registry = AlgorithmRegistry.standard()
        let algorithm = registry.algorithm(named: algorithm)!
        let shareDifficulty = difficulty ?? (algorithm.name == "scrypt" ? 0.2 : 0.005)
        var poolConfiguration = TestPoolConfiguration(algorithm: algorithm, difficulty: shareDifficulty)
        poolConfiguration.jobInterval = .seconds(30)
        let pool = TestPoolServer(configuration: poolConfiguration, logger: logger)
        try await pool.start()
        defer { pool.stop() }
        var configuration = MinerConfiguration(
            pools: [try PoolEndpoint(url: pool.url, user: "demo", password: "x")],
            algorithm: algorithm.name, threads: threads ?? MiningEngine.defaultThreadCount)
        configuration.dumpProtocol = dumpProtocol
        configuration.statusInterval = .milliseconds(Int64(statusInterval * 1000))
        let miner = try Miner(configuration: configuration, registry: registry, logger: logger)
        let signals = SignalTrap { miner.stop() }
        defer { signals.cancel() }
        if let seconds {
            Task.detached {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                miner.stop()
            }
        }
        try await miner.run()
        let stats = pool.statistics
        print("demo finished: the test pool accepted \(stats.accepted) share\(stats.accepted == 1 ? "" : "s") and rejected \(stats.rejectedTotal)")
    }
}
