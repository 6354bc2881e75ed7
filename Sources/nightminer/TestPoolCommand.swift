import ArgumentParser
import Foundation
import ProcessSupport
import Logging
import NightMiner
import ProofOfWork
import TestPool

/// `nightminer testpool`: the embedded stratum pool on its own, for testing miners (ours or others).
struct TestPoolCommand: AsyncParsableCommand, LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "testpool",
        abstract: "Run the embedded stratum test pool until Ctrl-C.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port (0 picks a free one).")
    var port = 3333

    @Option(name: [.customShort("a"), .customLong("algo")], help: "scrypt or sha256d.")
    var algorithm = "scrypt"

    @Option(help: "Share difficulty.")
    var difficulty: Double = 1

    @Option(help: "Seconds between new jobs (0: never).")
    var jobInterval: Double = 30

    @Option(help: "Only accept this USER:PASS (default: any non-empty user).")
    var credentials: String?

    @Option(help: "Serve TLS (stratum+ssl://) with this PEM certificate chain; needs --tls-key.")
    var tlsCert: String?

    @Option(help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "Misbehave, to try a miner against faults: a comma-separated list of \(TestPoolFault.allCases.map(\.rawValue).joined(separator: ", ")).")
    var fault: String?

    func validate() throws {
        try AlgorithmRegistryNames.validate(algorithm)
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard difficulty > 0, difficulty.isFinite else { throw ValidationError("--difficulty must be positive") }
        guard jobInterval >= 0 else { throw ValidationError("--job-interval must not be negative") }
        if let credentials, !credentials.contains(":") { throw ValidationError("--credentials must be USER:PASS") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let fault {
            do { _ = try TestPoolFault.parse(fault) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        ConsoleLogHandler.bootstrap(level: .info)
        let logger = Logger(label: "nightminer.testpool")
        var configuration = TestPoolConfiguration(algorithm: AlgorithmRegistry.standard().algorithm(named: algorithm)!,
                                                  difficulty: difficulty)
        configuration.host = host
        configuration.port = port
        configuration.jobInterval = jobInterval > 0 ? .milliseconds(Int64(jobInterval * 1000)) : nil
        if let credentials, let colon = credentials.firstIndex(of: ":") {
            configuration.credentials = [String(credentials[..<colon]): String(credentials[credentials.index(after: colon)...])]
        }
        if let tlsCert, let tlsKey { configuration.tls = (tlsCert, tlsKey) }
        if let fault { configuration.faults = try TestPoolFault.parse(fault) }
        let pool = TestPoolServer(configuration: configuration, logger: logger)
        do {
            try await pool.start()
        } catch {
            throw ValidationError("\(error)")
        }
        try await ServiceRunner.run([.init(pool, name: "test pool")], stopOnSignals: true, logger: logger)
        let stats = pool.statistics
        print("accepted \(stats.accepted), rejected \(stats.rejectedTotal) (\(stats.rejected.sorted { $0.key < $1.key }.map { "code \($0.key): \($0.value)" }.joined(separator: ", ")))")
    }
}
