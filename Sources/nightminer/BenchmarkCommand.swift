import ArgumentParser
import Foundation
import ProcessSupport
import MiningEngine
import NightMiner
import ProofOfWork
import Stratum

/// `nightminer benchmark`: hashes a synthetic job without a pool and prints the hashrate.
struct BenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure the hashrate on a synthetic job (no pool needed).")

    @Option(name: [.customShort("a"), .customLong("algo")], help: "scrypt or sha256d (default: the --kernel's, else scrypt).")
    var algorithmName: String?

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Hashing threads (default: one per core).")
    var threads: Int?

    @Option(help: "Seconds to measure (after a 0.5 s warm-up).")
    var seconds: Double = 10

    @Option(help: "Force a hashing kernel (see 'nightminer kernels').")
    var kernel: String?

    @Flag(help: "Print JSON (hashrate in H/s).")
    var json = false

    /// The algorithm measured: the one named, else the forced kernel's, else scrypt.
    private var algorithm: String {
        algorithmName ?? kernel.flatMap(KernelChoice.algorithm(ofKernel:)) ?? "scrypt"
    }

    func validate() throws {
        try AlgorithmRegistryNames.validate(algorithm)
        try ThreadsFlag.validate(threads)
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be between 0 and 3600") }
        try AlgorithmRegistryNames.validate(kernel: kernel, for: [algorithm])
    }

    func run() async throws {
        ConsoleLogHandler.bootstrap(level: .warning)
        let registry: AlgorithmRegistry
        do { registry = try KernelChoice.registry(forcing: kernel) } catch { throw ValidationError(error.description) }
        let algorithm = registry.algorithm(named: algorithm.lowercased())!
        let result = await Benchmark.run(algorithm: algorithm, threads: threads ?? MinerConfiguration.defaultThreadCount, seconds: seconds)
        if json {
            let object = JSONValue.object([
                "algorithm": .string(result.algorithm), "kernel": .string(result.kernel), "threads": .number(Double(result.threads)),
                "seconds": .number(result.seconds), "hashrate": .number(result.hashrate),
                "per_thread": .array(result.perThread.map { .number($0) }),
            ])
            print(object.serialized)
        } else {
            print("\(result.algorithm) (\(result.kernel)), \(result.threads) thread\(result.threads == 1 ? "" : "s"), \(String(format: "%.1f", result.seconds)) s")
            for (index, rate) in result.perThread.enumerated() { print("  thread \(index): \(Miner.formatRate(rate))") }
            print("  total:    \(Miner.formatRate(result.hashrate))")
        }
    }
}
