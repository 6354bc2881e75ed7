import ArgumentParser
import Foundation
import ProcessSupport
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
        subcommands: [Mine.self, Serve.self, Demo.self, FleetCommand.self, TestPoolCommand.self, VerifyShare.self, BenchmarkCommand.self,
                      KernelsCommand.self],
        defaultSubcommand: Mine.self,
        helpNames: [.short, .long])

    /// Parses the command line and runs the command, with SIGPIPE ignored: a closed pipe on stdout (say,
    /// `nightminer kernels | head -1`) is an error to report, not a reason to die.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        if CommandLine.arguments.count == 2, ["-h", "--help"].contains(CommandLine.arguments[1]) {
            print(help)
            return
        }
        // A mode may take a second to start (its kernels are calibrated before its group runs): a stop
        // meanwhile is held until then.
        ServiceRunner.catchStopSignals()
        do {
            var command = try parseAsRoot()
            if !(type(of: command) is any LongRunningCommand.Type) { ServiceRunner.releaseStopSignals() }
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

extension NightMinerCommand {
    /// `nightminer --help`: the mining flags, as the original's help listed them, then the other commands.
    static var help: String {
        let root = helpMessage()
        let commands = root.range(of: "SUBCOMMANDS:").map { String(root[$0.lowerBound...]) } ?? ""
        let mine = Mine.helpMessage().replacingOccurrences(of: "USAGE: mine <options>", with: "USAGE: nightminer [mine] <options>")
            .replacingOccurrences(of: "OVERVIEW: Mine on a stratum pool (the default command).", with: "OVERVIEW: \(configuration.abstract)")
        return "\(mine)\n\(commands)"
    }
}

/// A mode that runs until stopped (as a ServiceGroup, through ``ServiceRunner``): a SIGTERM or SIGINT
/// that comes while it starts stops it as soon as its group runs.
protocol LongRunningCommand {}

/// `nightminer [mine] -o URL -u USER -p PASS …`: the original nightminer's command line.
struct Mine: AsyncParsableCommand, LongRunningCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mine on a stratum pool (the default command).",
        helpNames: [.short, .long])

    @OptionGroup var pool: PoolOptions

    @OptionGroup var process: ProcessOptions

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Hashing threads (default: one per core).")
    var threads: Int?

    @Option(help: "Force a hashing kernel (see 'nightminer kernels'), e.g. sha256d-avx2.")
    var kernel: String?

    @Flag(name: [.customShort("P"), .customLong("dump-protocol")], help: "Print every stratum line sent and received.")
    var dumpProtocol = false

    @Flag(name: [.customShort("v"), .customLong("version")], help: "Print the version and exit.")
    var version = false

    /// Checks the flags that were given.
    func validate() throws {
        if version { return }
        if pool.urls.isEmpty { throw ValidationError("a pool URL is required: -o stratum+tcp://HOST:PORT (or try 'nightminer demo')") }
        try ThreadsFlag.validate(threads)
        try AlgorithmRegistryNames.validate(kernel: kernel, for: pool.algorithms.isEmpty ? ["scrypt"] : pool.algorithms)
    }

    func run() async throws {
        if version {
            print("nightminer \(NightMinerVersion.number)")
            return
        }
        guard try process.begin() != nil else { return }
        let logger = Logger(label: "nightminer")
        defer { process.end() }
        let pools = try pool.endpoints()
        var configuration = MinerConfiguration(pools: pools, algorithm: pools[0].algorithm ?? "scrypt",
                                               threads: threads ?? MinerConfiguration.defaultThreadCount)
        pool.apply(to: &configuration.client)
        configuration.dumpProtocol = dumpProtocol
        configuration.stopOnAuthorizationFailure = true
        configuration.statusInterval = process.quiet ? nil : .seconds(30)
        let registry: AlgorithmRegistry
        do { registry = try KernelChoice.registry(forcing: kernel) } catch { throw ValidationError(error.description) }
        let miner = try Miner(configuration: configuration, registry: registry, logger: logger)
        do {
            try await ServiceRunner.run([.init(miner, name: "miner")], stopOnSignals: true, logger: logger)
        } catch let error as MinerError {
            logger.error("\(error)")
            throw ExitCode(1)
        }
    }
}
