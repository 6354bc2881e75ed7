import ControlAPI
import NightMiner
import Stratum

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
        /// A TLS pool: a PEM file of CAs to trust instead of the system's.
        public var tlsCA: String?
        /// A TLS pool: the pinned SHA-256 of its certificate (64 hex digits, colons optional).
        public var tlsFingerprint: String?
        /// A TLS pool: no certificate checks (nil: checks on).
        public var tlsInsecure: Bool?
        /// Whether `mining.extranonce.subscribe` is sent (nil: yes).
        public var extranonceSubscribe: Bool?
        /// A difficulty to ask for with `mining.suggest_difficulty`.
        public var suggestDifficulty: Double?
        /// An in-memory pool (the embedded test pool): never written to the file.
        public var ephemeral: Bool = false

        enum CodingKeys: String, CodingKey {
            case id, url, user, password, algorithm, priority
            case tlsCA = "tls_ca", tlsFingerprint = "tls_fingerprint", tlsInsecure = "tls_insecure"
            case extranonceSubscribe = "extranonce_subscribe", suggestDifficulty = "suggest_difficulty"
        }

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

        /// The pool `endpoint` describes (credentials, algorithm and connection options), as stored.
        public init(endpoint: PoolEndpoint, id: Int, priority: Int) {
            self.init(id: id, url: endpoint.url, user: endpoint.user, password: endpoint.password, algorithm: endpoint.algorithm,
                      priority: priority)
            tlsCA = endpoint.tls?.caFile
            tlsFingerprint = endpoint.tls?.fingerprint.map(PoolTLS.format(fingerprint:))
            tlsInsecure = endpoint.tls?.insecure == true ? true : nil
            extranonceSubscribe = endpoint.extranonceSubscribe ? nil : false
            suggestDifficulty = endpoint.suggestDifficulty
        }

        /// Takes every field `input` gives (`""` or 0 clears a TLS file, a fingerprint or a difficulty).
        mutating func apply(_ input: PoolInput) {
            if let url = input.url { self.url = url }
            if let user = input.user { self.user = user }
            if let password = input.password { self.password = password }
            if let algorithm = input.algorithm { self.algorithm = algorithm.lowercased() }
            if let priority = input.priority { self.priority = priority }
            if let ca = input.tlsCA { tlsCA = ca.isEmpty ? nil : ca }
            if let fingerprint = input.tlsFingerprint { tlsFingerprint = fingerprint.isEmpty ? nil : fingerprint }
            if let insecure = input.tlsInsecure { tlsInsecure = insecure ? true : nil }
            if let subscribe = input.extranonceSubscribe { extranonceSubscribe = subscribe ? nil : false }
            if let difficulty = input.suggestDifficulty { suggestDifficulty = difficulty == 0 ? nil : difficulty }
        }

        /// The pool as the stratum client takes it (its algorithm left to the miner's default when unset).
        /// Throws a 422 naming the field at fault.
        package func endpoint() throws(Problem) -> PoolEndpoint {
            var endpoint: PoolEndpoint
            do { endpoint = try PoolEndpoint(url: url, user: user, password: password) } catch { throw .unprocessable("url: \(error)") }
            endpoint.algorithm = algorithm
            endpoint.extranonceSubscribe = extranonceSubscribe ?? true
            if let suggestDifficulty {
                guard suggestDifficulty > 0, suggestDifficulty.isFinite else {
                    throw .unprocessable("suggest_difficulty must be a positive number")
                }
                endpoint.suggestDifficulty = suggestDifficulty
            }
            guard endpoint.tls != nil else {
                guard tlsCA == nil, tlsFingerprint == nil, tlsInsecure != true else {
                    throw .unprocessable("tls_ca, tls_fingerprint and tls_insecure apply to stratum+ssl:// pools only")
                }
                return endpoint
            }
            endpoint.tls?.caFile = tlsCA
            if let tlsFingerprint {
                do { endpoint.tls?.fingerprint = try PoolTLS.parseFingerprint(tlsFingerprint) } catch {
                    throw .unprocessable("tls_fingerprint: \(error.description)")
                }
            }
            endpoint.tls?.insecure = tlsInsecure ?? false
            return endpoint
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
