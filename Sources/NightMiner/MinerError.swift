/// Why a ``Miner`` could not start or had to stop.
public enum MinerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No algorithm of that name is registered.
    case unknownAlgorithm(String, known: [String])
    /// The pool refused the worker's credentials.
    case authorizationRefused(String)
    /// A setting is out of range or malformed.
    case invalidConfiguration(String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .unknownAlgorithm(let name, let known): "unknown algorithm '\(name)' (known: \(known.joined(separator: ", ")))"
        case .authorizationRefused(let why): why
        case .invalidConfiguration(let why): why
        }
    }
}
