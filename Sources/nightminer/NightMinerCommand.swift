import ArgumentParser
import Foundation
import Logging
import NightMiner
import MiningEngine
import ProofOfWork
import Stratum

/// `nightminer`: mine on a stratum pool with the original's flags, or run one of the tools.
@main
struct NightMinerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightminer",
        abstract: "A CPU stratum miner for scrypt and SHA256d.",
        discussion: """
            Mine:  nightminer -o stratum+tcp://HOST:PORT -u WORKER -p PASSWORD [-a scrypt|sha256d] [-t THREADS]
            Try it without a pool:  nightminer demo
            """,
        subcommands: [Mine.self, Serve.self, Demo.self, TestPoolCommand.self, VerifyShare.self, BenchmarkCommand.self, KernelsCommand.self],
        defaultSubcommand: Mine.self,
        helpNames: [.short, .long])

    /// Parses the command line and runs the command, with SIGPIPE ignored: a closed pipe on stdout (say,
    /// `nightminer kernels | head -1`) is an error to report, not a reason to die.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `nightminer [mine] -o URL -u USER -p PASS …`: the original nightminer's command line.
struct Mine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mine on a stratum pool (the default command).",
        helpNames: [.short, .long])

    @Option(name: [.customShort("o"), .customLong("url")],
            help: "Stratum pool URL (stratum+tcp://host:port, or stratum+ssl:// for TLS). Repeat for backup pools, in priority order.")
    var urls: [String] = []

    @Option(name: [.customShort("u"), .customLong("user")], help: "Worker name (once for every pool, or once per -o).")
    var users: [String] = []

    @Option(name: [.customShort("p"), .customLong("pass")], help: "Worker password (once, or once per -o).")
    var passwords: [String] = []

    @Option(name: [.customShort("O"), .customLong("userpass")], help: "Worker name and password as USER:PASS (once, or once per -o).")
    var userpasses: [String] = []

    @Option(name: .customLong("tls-ca"), help: "Trust the CA certificates in this PEM file for TLS pools (once, or once per -o).")
    var tlsCA: [String] = []

    @Option(name: .customLong("tls-fingerprint"), help: "Pin a TLS pool's certificate by its SHA-256 (64 hex digits, colons optional).")
    var tlsFingerprints: [String] = []

    @Flag(name: .customLong("tls-insecure"), help: "Do not check TLS pools' certificates (anyone in between can read the credentials).")
    var tlsInsecure = false

    @Flag(help: "Follow client.reconnect to another host (by default only the same host is followed).")
    var allowRedirect = false

    @Option(name: .customLong("suggest-diff"), help: "Ask the pool for this share difficulty (mining.suggest_difficulty).")
    var suggestDifficulty: [Double] = []

    @Flag(help: "Do not send mining.extranonce.subscribe.")
    var noExtranonceSubscribe = false

    @Option(help: "Seconds a higher-priority pool must stay healthy (probed) before the miner moves back to it.")
    var failbackAfter: Double = 120

    @Option(name: [.customShort("a"), .customLong("algo")], help: "Proof of work: scrypt (default) or sha256d (once, or once per -o).")
    var algorithms: [String] = []

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Hashing threads (default: one per core).")
    var threads: Int?

    @Option(help: "Force a hashing kernel (see 'nightminer kernels'), e.g. sha256d-avx2.")
    var kernel: String?

    @Flag(name: [.customShort("B"), .customLong("background")], help: "Run in the background (detached from the terminal).")
    var background = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print errors only.")
    var quiet = false

    @Flag(name: [.customShort("P"), .customLong("dump-protocol")], help: "Print every stratum line sent and received.")
    var dumpProtocol = false

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Print debug messages.")
    var debug = false

    @Flag(name: [.customShort("v"), .customLong("version")], help: "Print the version and exit.")
    var version = false

    /// The pool flags, as the library pairs them.
    var poolFlags: PoolFlags {
        var flags = PoolFlags()
        flags.urls = urls
        flags.users = users
        flags.passwords = passwords
        flags.userpasses = userpasses
        flags.algorithms = algorithms
        flags.tlsCA = tlsCA
        flags.tlsFingerprints = tlsFingerprints
        flags.tlsInsecure = tlsInsecure
        flags.suggestDifficulty = suggestDifficulty
        flags.noExtranonceSubscribe = noExtranonceSubscribe
        return flags
    }

    /// Checks the flags that were given.
    func validate() throws {
        if version { return }
        if urls.isEmpty { throw ValidationError("a pool URL is required: -o stratum+tcp://HOST:PORT (or try 'nightminer demo')") }
        do { _ = try poolFlags.endpoints() } catch { throw ValidationError(error.description) }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        guard failbackAfter >= 1, failbackAfter <= 86_400 else { throw ValidationError("--failback-after must be between 1 and 86400 seconds") }
        for algorithm in algorithms { try AlgorithmRegistryNames.validate(algorithm) }
        try AlgorithmRegistryNames.validate(kernel: kernel, for: algorithms.isEmpty ? ["scrypt"] : algorithms)
    }

    func run() async throws {
        if version {
            print("nightminer \(NightMinerVersion.number)")
            return
        }
        if background && !Background.isChild {
            try Background.detach()
            return
        }
        ConsoleLogHandler.bootstrap(level: quiet ? .error : (debug ? .debug : .info))
        let logger = Logger(label: "nightminer")
        let pools = try poolFlags.endpoints()
        var configuration = MinerConfiguration(pools: pools, algorithm: pools[0].algorithm ?? "scrypt",
                                               threads: threads ?? MiningEngine.defaultThreadCount)
        configuration.client.allowRedirect = allowRedirect
        configuration.client.failbackAfter = .milliseconds(Int64(failbackAfter * 1000))
        configuration.dumpProtocol = dumpProtocol
        configuration.stopOnAuthorizationFailure = true
        configuration.statusInterval = quiet ? nil : .seconds(30)
        let registry: AlgorithmRegistry
        do { registry = try KernelChoice.registry(forcing: kernel) } catch { throw ValidationError(error.description) }
        let miner = try Miner(configuration: configuration, registry: registry, logger: logger)
        let signals = SignalTrap { miner.stop() }
        defer { signals.cancel() }
        do {
            try await miner.run()
        } catch let error as MinerError {
            logger.error("\(error)")
            throw ExitCode(1)
        }
    }
}
