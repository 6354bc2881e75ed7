import MiningEngine
import Stratum

/// Everything a ``Miner`` needs to run.
public struct MinerConfiguration: Sendable {
    /// Pools in priority order; the first reachable one is used.
    public var pools: [PoolEndpoint]
    /// The proof-of-work algorithm's registry name (`scrypt`, `sha256d`, or a plug-in's).
    public var algorithm: String
    /// Hashing threads (default: one per core), within ``threadRange``.
    public var threads: Int

    /// The thread counts the miner accepts, wherever they come from (flags, the API, the configuration file).
    public static let threadRange = 1...1024

    /// Why `threads` is not a thread count the miner accepts, or nil when it is.
    public static func threadProblem(_ threads: Int) -> String? {
        threadRange.contains(threads) ? nil : "threads must be between \(threadRange.lowerBound) and \(threadRange.upperBound), not \(threads)"
    }
    /// Log every stratum line (`-P`).
    public var dumpProtocol = false
    /// Stop ``Miner/run()`` with an error when the pool refuses the credentials (the CLI does; a service
    /// keeps retrying and reports it instead).
    public var stopOnAuthorizationFailure = false
    /// How often a status line is logged; nil for never.
    public var statusInterval: Duration? = .seconds(30)
    /// Stratum client tunables (user agent, timeouts).
    public var client: StratumClientOptions

    /// The default number of hashing threads: one per core.
    public static var defaultThreadCount: Int { MiningEngine.defaultThreadCount }

    /// A configuration for pools and an algorithm.
    public init(pools: [PoolEndpoint], algorithm: String = "scrypt", threads: Int = MinerConfiguration.defaultThreadCount) {
        self.pools = pools
        self.algorithm = algorithm
        self.threads = threads
        client = StratumClientOptions(userAgent: NightMinerVersion.userAgent)
    }
}

/// The version of this package.
public enum NightMinerVersion {
    /// The release number.
    public static let number = "0.2.0"
    /// `nightminer/<version>`, sent to pools.
    public static let userAgent = "nightminer/\(number)"
}
