import ArgumentParser
import ControlAPI
import Foundation
import Logging
import MiningEngine
import NightMiner
import ProofOfWork
import Stratum
import TestPool

/// `nightminer serve`: the miner as a service, controlled through the REST API (see openapi.yaml).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the miner as a service with the REST control API.",
        discussion: """
            The API listens on 127.0.0.1 unless --api-bind says otherwise. Every request that changes state needs
            'Authorization: Bearer <token>': the token is --api-token, or the one kept in --api-token-file
            (generated at first start, mode 0600). With no pool configured, the embedded test pool is started
            and mined, so the service works on its own.
            """)

    @Option(help: "Configuration file (JSON): pools, credentials and settings; created if missing.")
    var config = "nightminer.json"

    @Option(help: "Address the API listens on (an IP address).")
    var apiBind = "127.0.0.1"

    @Option(help: "API port (0 picks a free one).")
    var apiPort = 8080

    @Option(help: "Bearer token for state changes (default: read from --api-token-file, generated if missing).")
    var apiToken: String?

    @Option(help: "Where the generated token is kept (default: beside the configuration file).")
    var apiTokenFile: String?

    @Flag(help: "Refuse every state change (403).")
    var apiReadOnly = false

    @Flag(help: "No token at all (loopback only; refused with any other --api-bind).")
    var apiNoAuth = false

    @Option(name: .customLong("api-allow-host"),
            help: "A Host name the API answers to besides the loopback ones (repeatable; the API bound to loopback refuses others).")
    var apiAllowHosts: [String] = []

    @Option(help: "The audit file of state changes (default: audit.log beside the configuration file).")
    var auditFile: String?

    @Flag(help: "Do not start the embedded test pool when no pool is configured.")
    var noTestPool = false

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Hashing threads when creating the configuration (default: one per core).")
    var threads: Int?

    @Flag(name: [.customShort("P"), .customLong("dump-protocol")], help: "Print every stratum line.")
    var dumpProtocol = false

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Print debug messages.")
    var debug = false

    static func isLoopback(_ host: String) -> Bool { host == "::1" || host.hasPrefix("127.") }

    func validate() throws {
        guard (0...65_535).contains(apiPort) else { throw ValidationError("--api-port must be between 0 and 65535") }
        if apiNoAuth && !Self.isLoopback(apiBind) {
            throw ValidationError("refusing to listen on \(apiBind) without a token: drop --api-no-auth or bind to 127.0.0.1")
        }
        if apiNoAuth && apiToken != nil { throw ValidationError("--api-no-auth and --api-token contradict each other") }
        if let apiToken, apiToken.utf8.count < 16 { throw ValidationError("--api-token must be at least 16 characters") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
    }

    func run() async throws {
        let store = ConfigStore(path: config)
        var settings: ServiceSettings
        if store.exists {
            do { settings = try store.load() } catch { throw ValidationError(error.description) }
        } else {
            settings = ServiceSettings(threads: threads ?? MiningEngine.defaultThreadCount)
            do { try store.save(settings) } catch { throw ValidationError(error.description) }
        }
        let levels = ConsoleLogHandler.bootstrap(level: debug ? .debug : (Logger.Level(rawValue: settings.logLevel) ?? .info))
        let logger = Logger(label: "nightminer")
        if !store.exists { logger.info("created \(config)") }
        let token = try resolveToken(logger: logger)

        var testPool: TestPoolServer?
        if settings.pools.isEmpty && !noTestPool {
            let algorithm = AlgorithmRegistry.standard().algorithm(named: settings.algorithm) ?? Scrypt()
            var poolConfiguration = TestPoolConfiguration(algorithm: algorithm, difficulty: algorithm.name == "scrypt" ? 0.2 : 0.005)
            poolConfiguration.jobInterval = .seconds(30)
            let pool = TestPoolServer(configuration: poolConfiguration, logger: logger)
            try await pool.start()
            settings.pools.append(.init(id: 0, url: pool.url, user: "demo", password: "x", algorithm: algorithm.name, priority: 1000,
                                        ephemeral: true))
            testPool = pool
            logger.notice("no pool configured: mining the embedded test pool at \(pool.url) (add yours with POST /pools)")
        }
        let dump = dumpProtocol
        let service = MiningService(settings: settings, store: store, logger: logger,
                                    tune: { $0.dumpProtocol = dump },
                                    logLevelChanged: { name in if let level = Logger.Level(rawValue: name) { levels.level = level } })
        let auditPath = auditFile ?? ((config as NSString).deletingLastPathComponent.isEmpty ? "audit.log"
            : (config as NSString).deletingLastPathComponent + "/audit.log")
        let audit: AuditLog
        do { audit = try AuditLog(path: auditPath) { logger.notice("\($0)") } } catch { throw ValidationError("\(error)") }
        // Bound to loopback, the API answers loopback names only (DNS rebinding); elsewhere any Host.
        let allowedHosts = Self.isLoopback(apiBind) ? AccessPolicy.loopbackHosts.union(apiAllowHosts) : nil
        let router = APIRouter(service: service, policy: AccessPolicy(token: token, readOnly: apiReadOnly, allowedHosts: allowedHosts),
                               openAPIDocument: OpenAPIDocument.yaml, audit: audit)
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.host = apiBind
        serverConfiguration.port = apiPort
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: serverConfiguration) { router.handle($0) }
        } catch {
            throw ValidationError(error.description)
        }
        logger.notice("control API at \(server.url) (\(apiReadOnly ? "read-only" : token == nil ? "no token: loopback only" : "state changes need the bearer token"))")
        // Always printed, whatever the log level: scripts read the URL from here.
        FileHandle.standardOutput.write(Data("nightminer API at \(server.url) (try: curl \(server.url)/stats)\n".utf8))
        if settings.autostart, !settings.pools.isEmpty {
            do { _ = try service.startMining() } catch { logger.error("cannot start mining: \(error.detail)") }
        }
        let stop = AsyncStream<Void>.makeStream()
        let signals = SignalTrap { stop.continuation.finish() }
        for await _ in stop.stream {}
        signals.cancel()
        logger.notice("shutting down")
        server.stop()
        await service.shutdown()
        testPool?.stop()
    }

    /// The token from the flag, the token file, or a new one written to the token file (mode 0600).
    func resolveToken(logger: Logger) throws -> String? {
        if apiNoAuth { return nil }
        if let apiToken { return apiToken }
        let path = apiTokenFile ?? ((config as NSString).deletingLastPathComponent.isEmpty ? "api-token"
            : (config as NSString).deletingLastPathComponent + "/api-token")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let token = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            guard token.utf8.count >= 16 else { throw ValidationError("the token in \(path) is shorter than 16 characters") }
            logger.notice("API token: in \(path)")
            return token
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = Hex.encode(bytes)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create the token file \(path): \(String(cString: strerror(errno)))") }
        _ = (token + "\n").withCString { write(fd, $0, strlen($0)) }
        close(fd)
        logger.notice("API token: generated into \(path)")
        return token
    }
}
