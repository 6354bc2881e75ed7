import Guarded
import Synchronization

/// Proof-of-work algorithms by name.
///
/// Each miner, pool or tool owns its registry (there is no global one): start from ``standard()`` and
/// ``register(_:)`` your own algorithms. Lookups are case-insensitive.
public final class AlgorithmRegistry: Sendable {
    private let algorithms: Locked<[String: any ProofOfWork]>

    /// An empty registry.
    public init() { algorithms = Locked([:]) }

    /// A registry holding the built-in algorithms, ``SHA256d`` and ``Scrypt``.
    public static func standard() -> AlgorithmRegistry {
        let registry = AlgorithmRegistry()
        registry.register(SHA256d())
        registry.register(Scrypt())
        return registry
    }

    /// Adds `algorithm` under its name, replacing any algorithm of the same name.
    public func register(_ algorithm: any ProofOfWork) {
        algorithms.withLock { $0[algorithm.name.lowercased()] = algorithm }
    }

    /// The algorithm called `name`, if registered.
    public func algorithm(named name: String) -> (any ProofOfWork)? {
        algorithms.withLock { $0[name.lowercased()] }
    }

    /// The registered names, sorted.
    public var names: [String] { algorithms.withLock { $0.keys.sorted() } }
}
