import ArgumentParser
import Foundation
import MiningEngine
import NightMiner
import ProofOfWork

/// `-t/--threads`: the library's rule (``MinerConfiguration/threadProblem(_:)``) in the flag's words.
enum ThreadsFlag {
    /// Refuses a thread count the miner would refuse, naming the flag.
    static func validate(_ threads: Int?) throws {
        if let threads, let problem = MinerConfiguration.threadProblem(threads) {
            throw ValidationError("--\(problem)")
        }
    }
}

/// The algorithm names the CLI accepts before anything is registered.
enum AlgorithmRegistryNames {
    static let standard = KernelChoice.all.map(\.algorithm)

    /// Refuses an algorithm name that is not built in.
    static func validate(_ algorithm: String) throws {
        guard standard.contains(algorithm.lowercased()) else {
            throw ValidationError("unknown algorithm '\(algorithm)' (known: \(standard.joined(separator: ", ")))")
        }
    }

    /// Refuses a `--kernel` that does not exist or belongs to none of `algorithms`.
    static func validate(kernel: String?, for algorithms: [String]) throws {
        guard let kernel else { return }
        guard let owner = KernelChoice.algorithm(ofKernel: kernel) else {
            throw ValidationError("unknown kernel '\(kernel)' (see 'nightminer kernels')")
        }
        guard algorithms.contains(where: { $0.lowercased() == owner }) else {
            throw ValidationError("kernel \(kernel) is for \(owner), not \(algorithms.joined(separator: " or "))")
        }
    }
}
