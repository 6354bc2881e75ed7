import ArgumentParser
import NightMiner
import ProofOfWork

/// `nightminer verify-share`: recompute a share from a notify and submit fields, for pool developers.
struct VerifyShare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-share",
        abstract: "Recompute a share's coinbase, merkle root, header, hash and difficulty.")

    @Option(name: [.customShort("a"), .customLong("algo")], help: "scrypt or sha256d.")
    var algorithm = "sha256d"

    @Option(help: "The mining.notify params as a JSON array (or the whole notify message).")
    var notify: String

    @Option(help: "extranonce1 from the subscribe reply (hex).")
    var extranonce1: String

    @Option(help: "extranonce2 as submitted (hex).")
    var extranonce2: String

    @Option(help: "ntime as submitted (8 hex digits).")
    var ntime: String

    @Option(help: "nonce as submitted (8 hex digits).")
    var nonce: String

    @Option(help: "Pool difficulty to check against.")
    var difficulty: Double = 1

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        try AlgorithmRegistryNames.validate(algorithm)
        guard difficulty > 0, difficulty.isFinite else { throw ValidationError("--difficulty must be positive") }
    }

    func run() throws {
        let report: ShareReport
        do {
            report = try ShareReport(algorithm: AlgorithmRegistry.standard().algorithm(named: algorithm)!, notify: notify,
                                     extranonce1: extranonce1, extranonce2: extranonce2, ntime: ntime, nonce: nonce,
                                     difficulty: difficulty)
        } catch {
            throw ValidationError(error.description)
        }
        print(json ? report.json.serialized : report.text)
    }
}
