import Dispatch
import Foundation
import MiningEngine
import ProofOfWork

/// The algorithm names the CLI accepts before anything is registered.
enum AlgorithmRegistryNames {
    static let standard = AlgorithmRegistry.standard().names
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
