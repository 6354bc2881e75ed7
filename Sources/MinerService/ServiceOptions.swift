import ControlAPI
import MiningEngine
import NightMiner
import ProofOfWork
import ServiceLifecycle
import Stratum

/// How to run the service: where the configuration lives, how the API listens, what the command line
/// overrides. `nightminer serve` and `demo` fill one from their flags; tests fill one directly.
public struct ServiceOptions: Sendable {
    /// The configuration file; nil keeps the settings in memory only (nothing is saved).
    public var configPath: String?
    /// Settings to start from when there is no configuration file yet (or none is used).
    public var initialSettings: ServiceSettings?
    /// Pools from the command line: they replace the configured pools (and are saved).
    public var pools: [PoolEndpoint] = []
    /// The default algorithm from the command line (`-a`).
    public var algorithm: String?
    /// Hashing threads from the command line (`-t`).
    public var threads: Int?
    /// The algorithm registry (a forced `--kernel` is chosen here).
    public var registry: AlgorithmRegistry = .standard()

    /// The address the API listens on (an IP address).
    public var apiHost = "127.0.0.1"
    /// The API port (0 picks a free one).
    public var apiPort = 8080
    /// Where the API token comes from.
    public var token: TokenSource = .file(nil)
    /// Refuse every state change (403).
    public var readOnly = false
    /// Host names the API answers to besides the loopback ones, when bound to loopback.
    public var allowedHosts: [String] = []
    /// Web origins whose pages may use the API from a browser (CORS); none by default.
    public var corsOrigins: [String] = []
    /// The audit file (default: `audit.log` beside the configuration file; none without one).
    public var auditPath: String?

    /// Starts a pool to mine when none is configured (`serve` and `demo` start the embedded test pool),
    /// given the algorithm to mine; nil: none, the service waits for one to be added through the API.
    public var standInPool: (@Sendable (any ProofOfWork) async throws -> StandInPool)?

    /// How long a graceful stop waits for the answers to shares already sent.
    public var shareDrain: Duration = .seconds(3)
    /// Adjusts every miner configuration the service makes (timeouts in tests, `-P`, status lines).
    public var tune: @Sendable (inout MinerConfiguration) -> Void = { _ in }
    /// Applies a log level changed through the API.
    public var logLevelChanged: @Sendable (String) -> Void = { _ in }

    /// Where the bearer token for state changes comes from.
    public enum TokenSource: Sendable {
        /// This token.
        case given(String)
        /// The token kept in this file (default: `api-token` beside the configuration file), generated
        /// (mode 0600) when missing.
        case file(String?)
        /// No token: every state change is allowed (loopback only).
        case none
    }

    /// Options with every default: `nightminer.json`, the API on 127.0.0.1:8080.
    public init(configPath: String? = "nightminer.json") {
        self.configPath = configPath
    }

    /// Whether `host` is a loopback address.
    public static func isLoopback(_ host: String) -> Bool { host == "::1" || host.hasPrefix("127.") }

    /// A file beside the configuration file (in the working folder without one).
    func besideConfiguration(_ name: String) -> String {
        guard let configPath, let slash = configPath.lastIndex(of: "/") else { return name }
        return String(configPath[...slash]) + name
    }
}

/// A pool the service starts itself when none is configured, listening already: it runs in the service's
/// group (stopped last) and is mined as an ephemeral pool, never saved.
public struct StandInPool: Sendable {
    /// The URL miners connect to.
    public var url: String
    /// What runs it in the service's group.
    public var service: any Service
    /// Stops it at once (when the service fails to start after it).
    public var stop: @Sendable () -> Void

    /// A stand-in pool at `url`, run by `service`, stopped by `stop`.
    public init(url: String, service: any Service, stop: @escaping @Sendable () -> Void) {
        self.url = url
        self.service = service
        self.stop = stop
    }
}
