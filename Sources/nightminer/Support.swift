import ArgumentParser
import Dispatch
import Foundation
import Guarded
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



/// Calls a handler on the first SIGINT or SIGTERM, for a graceful stop; a second one ends the process at
/// once (with the signal's default action), so a stop that takes too long can always be cut short.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        let received = ReceivedSignal()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let again = received.seen.withLock { seen -> Bool in
                    defer { seen = true }
                    return seen
                }
                if again {
                    signal(number, SIG_DFL)
                    raise(number)
                } else {
                    handler()
                }
            }
            source.resume()
            return source
        }
    }

    /// Stops handling: the signals' default actions apply again.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Whether a stop signal came already.
private final class ReceivedSignal: Sendable {
    let seen = Locked(false)
}
