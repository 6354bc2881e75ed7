import ControlAPI
import Foundation
import Guarded
import Logging
import MiningEngine
import NightMiner
import ProcessSupport
import ProofOfWork
import ServiceLifecycle
import Stratum

/// The miner as a service, as `nightminer serve` runs it: the configuration file, a stand-in pool (the
/// embedded test pool) when no pool is configured, the ``MiningService`` and the control API on libmicrohttpd, run as one
/// `ServiceGroup`. ``start(_:logger:)`` gets everything ready (the API listens when it returns); ``run()``
/// serves until ``shutdown()``, which stops in order: hashing stops and the answers to the shares already
/// sent are awaited, then the API closes, then the test pool.
public final class NightMinerService: Sendable {
    /// Why the service could not start, in a sentence for the user.
    public struct StartError: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to do.
        public let description: String
    }

    /// The service behind the API (mining, pools, settings).
    package let mining: MiningService
    /// The control API's server (listening).
    package let server: HTTPServer
    /// The pool started because none was configured.
    public let standInPool: StandInPool?
    /// The file the API token is kept in, if it comes from one.
    public let tokenFile: String?
    /// Whether state changes need a token.
    public let requiresToken: Bool

    private let logger: Logger
    private let lifecycle = Locked(Lifecycle())

    private struct Lifecycle: Sendable {
        var group: ServiceGroup?
        var shutdownRequested = false
    }

    private init(mining: MiningService, server: HTTPServer, standInPool: StandInPool?, tokenFile: String?, requiresToken: Bool,
                 logger: Logger) {
        self.mining = mining
        self.server = server
        self.standInPool = standInPool
        self.tokenFile = tokenFile
        self.requiresToken = requiresToken
        self.logger = logger
    }

    /// Reads (or creates) the configuration, applies the command line's overrides, starts the test pool
    /// if no pool is configured, and binds the API.
    public static func start(_ options: ServiceOptions, logger: Logger = Logger(label: "nightminer")) async throws(StartError)
        -> NightMinerService {
        if case .none = options.token, !ServiceOptions.isLoopback(options.apiHost) {
            throw StartError(description: "refusing to listen on \(options.apiHost) without a token: bind to 127.0.0.1 or use a token")
        }
        let store = options.configPath.map(ConfigStore.init(path:))
        var settings = try loadSettings(options, store: store, logger: logger)
        let (token, tokenFile) = try resolveToken(options, logger: logger)

        var standIn: StandInPool?
        if settings.pools.isEmpty, let start = options.standInPool {
            let algorithm = options.registry.algorithm(named: settings.algorithm) ?? Scrypt()
            let pool: StandInPool
            do { pool = try await start(algorithm) } catch { throw StartError(description: "cannot start the embedded test pool: \(error)") }
            settings.pools.append(.init(id: 0, url: pool.url, user: "demo", password: "x", algorithm: algorithm.name, priority: 1000,
                                        ephemeral: true))
            standIn = pool
            logger.notice("no pool configured: mining the embedded test pool at \(pool.url) (add yours with POST /pools)")
        }

        let mining = MiningService(settings: settings, store: store, registry: options.registry, logger: logger,
                                   tune: options.tune, logLevelChanged: options.logLevelChanged)
        let audit: AuditLog?
        if let path = options.auditPath ?? options.configPath.map({ _ in options.besideConfiguration("audit.log") }) {
            do { audit = try AuditLog(path: path) { logger.notice("\($0)") } } catch {
                standIn?.stop()
                throw StartError(description: "\(error)")
            }
        } else {
            audit = nil
        }
        // Bound to loopback, the API answers loopback names and its own address only (DNS rebinding);
        // elsewhere any Host.
        let boundName = options.apiHost.contains(":") ? "[\(options.apiHost.lowercased())]" : options.apiHost
        let allowedHosts = ServiceOptions.isLoopback(options.apiHost)
            ? AccessPolicy.loopbackHosts.union(options.allowedHosts).union([boundName]) : nil
        let policy = AccessPolicy(token: token, readOnly: options.readOnly, allowedHosts: allowedHosts, corsOrigins: Set(options.corsOrigins))
        let router = APIRouter(service: mining, policy: policy, openAPIDocument: OpenAPIDocument.yaml, audit: audit)
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.host = options.apiHost
        serverConfiguration.port = options.apiPort
        let server: HTTPServer
        do { server = try HTTPServer(configuration: serverConfiguration) { router.handle($0) } } catch {
            standIn?.stop()
            throw StartError(description: error.description)
        }
        let access = options.readOnly ? "read-only" : token == nil ? "no token: loopback only" : "state changes need the bearer token"
        logger.notice("control API at \(server.url) (\(access))")
        return NightMinerService(mining: mining, server: server, standInPool: standIn, tokenFile: tokenFile, requiresToken: token != nil,
                                 logger: logger)
    }

    /// Serves until ``shutdown()`` (or, with `stopOnSignals`, SIGTERM or SIGINT; or after `deadline`): runs
    /// the test pool, the control API and the mining service as one `ServiceGroup` (``ServiceRunner``),
    /// tells systemd the service is ready, and on shutdown stops them in reverse order: mining first (the
    /// answers to the shares already sent are awaited), then the API, then the test pool.
    public func run(stopOnSignals: Bool = false, deadline: Duration? = nil) async {
        var parts = [ServiceRunner.Part]()
        if let standInPool { parts.append(.init(standInPool.service, name: "test pool")) }
        parts.append(.init(server, name: "control API"))
        parts.append(.init(mining, name: "miner"))
        parts.append(.init(Announcer(logger: logger), name: "systemd notifier"))
        if let deadline { parts.append(.init(Deadline(deadline), name: "deadline")) }
        let group = ServiceRunner.group(parts, stopOnSignals: stopOnSignals, logger: logger)
        let stopAtOnce = lifecycle.withLock { lifecycle -> Bool in
            lifecycle.group = group
            return lifecycle.shutdownRequested
        }
        if stopAtOnce { await group.triggerGracefulShutdown() }
        do { try await group.run() } catch { logger.error("the service ended with an error: \(error)") }
    }

    /// Tells systemd the service is ready when the group runs, and that it is stopping when it shuts down
    /// (listed after the miner, it is told of the shutdown first).
    private struct Announcer: Service {
        let logger: Logger

        func run() async {
            SystemdNotifier.notify("READY=1")
            try? await gracefulShutdown()
            logger.notice("shutting down")
            SystemdNotifier.notify("STOPPING=1")
        }
    }

    /// Begins the graceful stop (also before ``run()``: it then stops as soon as it starts).
    public func shutdown() {
        let group = lifecycle.withLock { lifecycle -> ServiceGroup? in
            lifecycle.shutdownRequested = true
            return lifecycle.group
        }
        if let group { Task { await group.triggerGracefulShutdown() } }
    }

    // MARK: Start-up

    /// The stored settings (created when missing), with the command line's pools, algorithm and threads.
    private static func loadSettings(_ options: ServiceOptions, store: ConfigStore?, logger: Logger) throws(StartError) -> ServiceSettings {
        var settings: ServiceSettings
        var changed = false
        if let store, store.exists {
            do { settings = try store.load() } catch { throw StartError(description: error.description) }
        } else {
            settings = options.initialSettings ?? ServiceSettings(threads: options.threads ?? MinerConfiguration.defaultThreadCount)
            changed = true
            if let path = store?.path { logger.info("created \(path)") }
        }
        if let threads = options.threads, threads != settings.threads {
            settings.threads = threads
            changed = true
        }
        if let algorithm = options.algorithm?.lowercased(), algorithm != settings.algorithm {
            guard options.registry.algorithm(named: algorithm) != nil else {
                throw StartError(description: "unknown algorithm '\(algorithm)' (known: \(options.registry.names.joined(separator: ", ")))")
            }
            settings.algorithm = algorithm
            changed = true
        }
        if !options.pools.isEmpty {
            let current = try? settings.orderedPools.map { pool throws(Problem) in try pool.endpoint() }
            if current != options.pools {
                settings.pools = options.pools.enumerated().map { index, pool in
                    ServiceSettings.Pool(endpoint: pool, id: settings.nextPoolID + index, priority: index)
                }
                settings.nextPoolID += options.pools.count
                settings.activePoolID = nil
                changed = true
                logger.notice("pools from the command line: \(options.pools.map(\.description).joined(separator: ", "))")
            }
        }
        if changed, let store {
            do { try store.save(settings) } catch { throw StartError(description: error.description) }
        }
        return settings
    }

    /// The token and the file it is kept in: given, read from the file, or generated into it (mode 0600).
    private static func resolveToken(_ options: ServiceOptions, logger: Logger) throws(StartError) -> (String?, String?) {
        switch options.token {
        case .none:
            return (nil, nil)
        case .given(let token):
            guard token.utf8.count >= 16 else { throw StartError(description: "the API token must be at least 16 characters") }
            return (token, nil)
        case .file(let explicit):
            let path = explicit ?? options.besideConfiguration("api-token")
            if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
                let token = existing.trimmingCharacters(in: .whitespacesAndNewlines)
                guard token.utf8.count >= 16 else { throw StartError(description: "the token in \(path) is shorter than 16 characters") }
                logger.notice("API token: in \(path)")
                return (token, path)
            }
            var generator = SystemRandomNumberGenerator()
            let token = Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw StartError(description: "cannot create the token file \(path): \(String(cString: strerror(errno)))")
            }
            let line = Array((token + "\n").utf8)
            let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard written == line.count else { throw StartError(description: "cannot write the token file \(path)") }
            logger.notice("API token: generated into \(path)")
            return (token, path)
        }
    }
}
