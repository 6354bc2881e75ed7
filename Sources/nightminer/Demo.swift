import ArgumentParser
import Foundation
import ProcessSupport
import Logging
import MinerService
import MiningEngine
import NightMiner

/// `nightminer demo`: the embedded test pool and a miner in one process, so you can watch shares being
/// found and accepted with nothing else installed.
struct Demo: AsyncParsableCommand, LongRunningCommand {
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
        try ThreadsFlag.validate(threads)
        if let difficulty, !(difficulty > 0 && difficulty.isFinite) { throw ValidationError("--difficulty must be positive") }
        if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be positive") }
        guard statusInterval > 0 else { throw ValidationError("--status-interval must be positive") }
    }

    func run() async throws {
        ConsoleLogHandler.bootstrap(level: debug ? .debug : .info)
        let logger = Logger(label: "nightminer")
        var settings = ServiceSettings(threads: threads ?? MinerConfiguration.defaultThreadCount)
        settings.algorithm = algorithm.lowercased()
        var options = ServiceOptions(configPath: nil)
        options.initialSettings = settings
        options.standInPool = EmbeddedTestPool.standIn(difficulty: difficulty)
        // A demo keeps nothing and changes nothing from outside: the API (and its dashboard) is read-only.
        options.apiPort = 0
        options.token = .none
        options.readOnly = true
        let (dump, interval) = (dumpProtocol, Duration.milliseconds(Int64(statusInterval * 1000)))
        options.tune = { configuration in
            configuration.dumpProtocol = dump
            configuration.statusInterval = interval
        }
        let service: NightMinerService
        do { service = try await NightMinerService.start(options, logger: logger) } catch { throw ValidationError(error.description) }
        FileHandle.standardOutput.write(Data("nightminer demo: watch it at \(service.server.url)/stats\n".utf8))
        await service.run(stopOnSignals: true, deadline: seconds.map { .milliseconds(Int64($0 * 1000)) })
        let shares = service.mining.stats().shares
        print("demo finished: the test pool accepted \(shares.accepted) share\(shares.accepted == 1 ? "" : "s") and rejected \(shares.rejectedTotal)")
    }
}
