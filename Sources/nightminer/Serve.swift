import ArgumentParser
import Foundation
import Logging
import MinerService
import NightMiner
import Stratum

/// `nightminer serve`: the miner as a service, controlled through the REST API (see openapi.yaml).
struct Serve: AsyncParsableCommand, LongRunningCommand {
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

    @Option(name: .customLong("api-cors-origin"),
            help: "A web origin (https://host[:port]) whose pages may use the API from a browser (repeatable; none by default).")
    var apiCORSOrigins: [String] = []

    @Option(help: "The audit file of state changes (default: audit.log beside the configuration file).")
    var auditFile: String?

    @Flag(help: "Do not start the embedded test pool when no pool is configured.")
    var noTestPool = false

    @OptionGroup(title: "Mining (seed the configuration on first start, and override it when given)")
    var pool: PoolOptions

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Hashing threads (default: one per core).")
    var threads: Int?

    @Option(help: "Force a hashing kernel (see 'nightminer kernels'), e.g. sha256d-avx2.")
    var kernel: String?

    @Flag(name: [.customShort("P"), .customLong("dump-protocol")], help: "Print every stratum line.")
    var dumpProtocol = false

    @OptionGroup var process: ProcessOptions

    func validate() throws {
        guard (0...65_535).contains(apiPort) else { throw ValidationError("--api-port must be between 0 and 65535") }
        if apiNoAuth && !ServiceOptions.isLoopback(apiBind) {
            throw ValidationError("refusing to listen on \(apiBind) without a token: drop --api-no-auth or bind to 127.0.0.1")
        }
        if apiNoAuth && apiToken != nil { throw ValidationError("--api-no-auth and --api-token contradict each other") }
        if let apiToken, apiToken.utf8.count < 16 { throw ValidationError("--api-token must be at least 16 characters") }
        try ThreadsFlag.validate(threads)
        for origin in apiCORSOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.contains("*") {
            throw ValidationError("--api-cors-origin takes an origin such as https://dash.example.com (no wildcards), not '\(origin)'")
        }
        try AlgorithmRegistryNames.validate(kernel: kernel, for: pool.algorithms.isEmpty ? KernelChoice.all.map(\.algorithm) : pool.algorithms)
    }

    func run() async throws {
        guard let levels = try process.begin() else { return }
        defer { process.end() }
        let logger = Logger(label: "nightminer")
        var options = ServiceOptions(configPath: config)
        do { options.registry = try KernelChoice.registry(forcing: kernel) } catch { throw ValidationError(error.description) }
        options.pools = try pool.endpoints()
        options.algorithm = pool.algorithms.first
        options.threads = threads
        options.apiHost = apiBind
        options.apiPort = apiPort
        options.token = apiNoAuth ? .none : apiToken.map { .given($0) } ?? .file(apiTokenFile)
        options.readOnly = apiReadOnly
        options.allowedHosts = apiAllowHosts
        options.corsOrigins = apiCORSOrigins
        options.auditPath = auditFile
        options.standInPool = noTestPool ? nil : EmbeddedTestPool.standIn(difficulty: nil)
        let (dump, poolFlags) = (dumpProtocol, pool)
        options.tune = { configuration in
            configuration.dumpProtocol = dump
            poolFlags.apply(to: &configuration.client)
        }
        let fixedLevel = process.quiet || process.debug
        options.logLevelChanged = { name in
            if !fixedLevel, let level = Logger.Level(rawValue: name) { levels.level = level }
        }
        let service: NightMinerService
        do { service = try await NightMinerService.start(options, logger: logger) } catch { throw ValidationError(error.description) }
        if !fixedLevel, let level = Logger.Level(rawValue: service.mining.settings.logLevel) { levels.level = level }
        // Always printed, whatever the log level: scripts read the URL from here.
        FileHandle.standardOutput.write(Data("nightminer API at \(service.server.url) (try: curl \(service.server.url)/stats)\n".utf8))
        await service.run(stopOnSignals: true)
    }
}
