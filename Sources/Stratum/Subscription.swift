import ProofOfWork

/// What a pool told us about our session: the library face of the original nightminer's `Subscription`.
///
/// Set it from `mining.subscribe`'s reply and `mining.set_difficulty`, then turn each `mining.notify`
/// into a ``Job`` with ``createJob(_:)``.
public struct Subscription: Sendable {
    /// The pool's subscription ID, if it gave one (used to resume a session).
    public private(set) var id: String?
    /// The authorized worker name (also the first `mining.submit` param).
    public private(set) var workerName: String?
    /// The current share difficulty (1 until the pool says otherwise).
    public private(set) var difficulty: Double = 1
    /// The pool-assigned coinbase prefix.
    public private(set) var extranonce1: [UInt8]?
    /// The size of extranonce2 in bytes.
    public private(set) var extranonce2Size: Int?
    /// The algorithm shares are hashed with.
    public let algorithm: any ProofOfWork
    /// Which connection this subscription belongs to; copied into every job it creates.
    public var session: UInt64 = 0

    /// A subscription for an algorithm, not yet subscribed.
    public init(algorithm: any ProofOfWork) { self.algorithm = algorithm }

    /// The share target for the current difficulty.
    public var target: Target { algorithm.target(forDifficulty: difficulty) ?? .difficultyOne }

    /// Whether ``setSubscription(id:extranonce1:extranonce2Size:)`` has been called.
    public var isSubscribed: Bool { extranonce1 != nil }

    /// Records `mining.subscribe`'s reply.
    public mutating func setSubscription(id: String?, extranonce1: [UInt8], extranonce2Size: Int) throws(StratumError) {
        guard (1...16).contains(extranonce2Size) else {
            throw .invalidMessage("extranonce2_size \(extranonce2Size) is outside 1...16")
        }
        self.id = id
        self.extranonce1 = extranonce1
        self.extranonce2Size = extranonce2Size
    }

    /// Records `mining.set_difficulty`; it applies to jobs created afterwards.
    public mutating func setDifficulty(_ difficulty: Double) throws(StratumError) {
        guard algorithm.target(forDifficulty: difficulty) != nil else {
            throw .invalidMessage("difficulty \(difficulty) is not a positive number")
        }
        self.difficulty = difficulty
    }

    /// Records the worker name once authorized.
    public mutating func setWorkerName(_ name: String) { workerName = name }

    /// Builds a job from a notification with the current extranonce and difficulty.
    public func createJob(_ notification: JobNotification) throws(StratumError) -> Job {
        guard let extranonce1, let extranonce2Size else { throw .invalidMessage("mining.notify before mining.subscribe's reply") }
        return try Job(notification: notification, extranonce1: extranonce1, extranonce2Size: extranonce2Size,
                       difficulty: difficulty, algorithm: algorithm, session: session)
    }

    /// Reads `mining.subscribe`'s result in every shape real pools send:
    /// `[[["mining.set_difficulty", id], ["mining.notify", id]], extranonce1, size]` (stratum-mining),
    /// `[[["mining.notify", id]], extranonce1, size]` (ckpool), or `[["mining.notify", id], extranonce1, size]`.
    /// Returns the subscription ID (the `mining.notify` tuple's, when there is one).
    public static func parseSubscribeResult(_ result: JSONValue) throws(StratumError)
        -> (id: String?, extranonce1: [UInt8], extranonce2Size: Int)
    {
        guard let items = result.arrayValue, items.count >= 3 else {
            throw .subscribeRefused("result is not [subscriptions, extranonce1, extranonce2_size]: \(result.serialized.prefix(200))")
        }
        guard let extranonce1Text = items[1].stringValue, let extranonce1 = Hex.decode(extranonce1Text), extranonce1.count <= 32 else {
            throw .subscribeRefused("extranonce1 is not a hex string")
        }
        guard let size = items[2].integerValue, (1...16).contains(size) else {
            throw .subscribeRefused("extranonce2_size \(items[2].serialized) is outside 1...16")
        }
        var id: String?
        var tuples = items[0].arrayValue ?? []
        if tuples.first?.stringValue != nil { tuples = [items[0]] }
        for tuple in tuples {
            guard let pair = tuple.arrayValue, pair.count >= 2, let method = pair[0].stringValue else { continue }
            let value = pair[1].stringValue ?? pair[1].integerValue.map { String($0) }
            if method == "mining.notify" || id == nil { id = value }
        }
        return (id, extranonce1, Int(size))
    }
}
