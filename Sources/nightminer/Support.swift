import ArgumentParser
import Dispatch
import Foundation
import MiningEngine
import NightMiner
import ProofOfWork

/// The algorithm names the CLI accepts before anything is registered.
enum AlgorithmRegistryNames {
    static let standard = AlgorithmRegistry.standard().names

    /// Refuses an algorithm name that is not built in.
    static func validate(_ algorithm: String) throws {
        guard standard.contains(algorithm.lowercased()) else {
            throw ValidationError("unknown algorithm '\(algorithm)' (known: \(standard.joined(separator: ", ")))")
        }
    }

    /// Refuses a `--kernel` that does not exist or belongs to another algorithm.
    static func validate(kernel: String?, for algorithm: String) throws {
        guard let kernel else { return }
        guard let owner = KernelChoice.algorithm(ofKernel: kernel) else {
            throw ValidationError("unknown kernel '\(kernel)' (see 'nightminer kernels')")
        }
        guard owner == algorithm.lowercased() else { throw ValidationError("kernel \(kernel) is for \(owner), not \(algorithm)") }
    }
}



/// Calls a handler on SIGINT or SIGTERM (once), for a graceful stop.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() { for source in sources { source.cancel() } }
}
