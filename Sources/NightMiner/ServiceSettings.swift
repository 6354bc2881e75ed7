/// Everything the service persists in its configuration file (JSON): pools with their credentials and
/// the settings. The file holds secrets, so it is written with mode 0600.
public struct ServiceSettings: Codable, Sendable, Equatable {
    /// A pool as stored.
    public struct Pool: Codable, Sendable, Equatable {
        /// Stable id (never reused).
        public var id: Int
        /// `stratum+tcp://host:port`.
        public var url: String
        /// Worker name.
        public var user: String
        /// Worker password.
        public var password: String
        /// The algorithm for this pool; nil means the default ``ServiceSettings/algorithm``.
        public var algorithm: String?
        /// Lower is tried first.
        public var priority: Int
        /// An in-memory pool (the embedded test pool): never written to the file.
        public var ephemeral: Bool = false

        enum CodingKeys: String, CodingKey { case id, url, user, password, algorithm, priority }

        /// Creates a pool.
        public init(id: Int, url: String, user: String, password: String, algorithm: String?, priority: Int, ephemeral: Bool = false) {
            self.id = id
            self.url = url
            self.user = user
            self.password = password
            self.algorithm = algorithm
            self.priority = priority
            self.ephemeral = ephemeral
        }
    }

    /// File format version.
    public var version = 1
    /// Pools.
    public var pools: [Pool] = []
    /// The pool in use; nil picks the first by priority.
    public var activePoolID: Int?
    /// Default algorithm.
    public var algorithm = "scrypt"
    /// Hashing threads.
    public var threads: Int
    /// Log level name.
    public var logLevel = "info"
    /// Start mining when the service starts.
    public var autostart = true
    /// The next pool id to hand out.
    public var nextPoolID = 1

    enum CodingKeys: String, CodingKey {
        case version, pools, algorithm, threads, autostart
        case activePoolID = "active_pool_id", logLevel = "log_level", nextPoolID = "next_pool_id"
    }

    /// Defaults: no pools, scrypt, `threads` threads.
    public init(threads: Int) { self.threads = threads }

    /// Pools in the order the miner tries them: the active one first, then by priority and id.
    public var orderedPools: [Pool] {
        let sorted = pools.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        guard let active = activePool else { return sorted }
        return [active] + sorted.filter { $0.id != active.id }
    }

    /// The active pool (the chosen one, or the first by priority).
    public var activePool: Pool? {
        if let activePoolID, let pool = pools.first(where: { $0.id == activePoolID }) { return pool }
        return pools.min { ($0.priority, $0.id) < ($1.priority, $1.id) }
    }

    /// The settings without in-memory pools, as they are written to disk.
    public var persistable: ServiceSettings {
        var copy = self
        copy.pools.removeAll { $0.ephemeral }
        if let active = copy.activePoolID, !copy.pools.contains(where: { $0.id == active }) { copy.activePoolID = nil }
        return copy
    }
}
