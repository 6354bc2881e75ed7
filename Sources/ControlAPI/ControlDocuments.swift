/// The JSON documents of the control API (see `openapi.yaml`). Field names are stable: add, never rename.

/// `GET /stats`.
public struct StatsDocument: Sendable, Encodable {
    /// `mining`, `connecting` or `stopped`.
    public var state: String
    /// Seconds since mining started (0 when stopped).
    public var uptimeSeconds: Double
    /// Algorithm name.
    public var algorithm: String
    /// The hashing kernel.
    public var kernel: String
    /// Hashing threads running.
    public var threads: Int
    /// Hash rates in H/s.
    public var hashrate: Hashrate
    /// Share counts.
    public var shares: Shares
    /// The current job, or null.
    public var job: Job?
    /// The pool connection.
    public var pool: Pool
    /// Every pool in the order they are tried, with where each stands and its share counts (as `GET /pools`).
    public var pools: [PoolDocument]
    /// The last review of the kernel in use against its runner-up, or null before the first.
    public var kernelReview: KernelReview?

    /// The kernel review: every few minutes one thread times the calibration's runner-up against the kernel
    /// in use on real work, and moves every thread to it when it wins three reviews in a row.
    public struct KernelReview: Sendable, Encodable {
        /// The algorithm reviewed.
        public var algorithm: String
        /// The kernel in use.
        public var kernel: String
        /// The kernel timed against it.
        public var runnerUp: String
        /// The kernel in use's median in the last review, hashes per second of one thread's CPU time.
        public var kernelHashesPerSecond: Double
        /// The runner-up's.
        public var runnerUpHashesPerSecond: Double
        /// Reviews done.
        public var reviews: Int
        /// Reviews in a row the runner-up won.
        public var runnerUpWins: Int
        /// Switches made.
        public var switches: Int

        /// Creates the section.
        public init(algorithm: String, kernel: String, runnerUp: String, kernelHashesPerSecond: Double, runnerUpHashesPerSecond: Double,
                    reviews: Int, runnerUpWins: Int, switches: Int) {
            self.algorithm = algorithm
            self.kernel = kernel
            self.runnerUp = runnerUp
            self.kernelHashesPerSecond = kernelHashesPerSecond
            self.runnerUpHashesPerSecond = runnerUpHashesPerSecond
            self.reviews = reviews
            self.runnerUpWins = runnerUpWins
            self.switches = switches
        }

        enum CodingKeys: String, CodingKey {
            case algorithm, kernel, reviews, switches
            case runnerUp = "runner_up"
            case kernelHashesPerSecond = "kernel_hashes_per_second"
            case runnerUpHashesPerSecond = "runner_up_hashes_per_second"
            case runnerUpWins = "runner_up_wins"
        }
    }

    /// Hash rates.
    public struct Hashrate: Sendable, Encodable {
        /// Last 10 s.
        public var tenSeconds: Double
        /// Last 60 s.
        public var oneMinute: Double
        /// Last 15 min.
        public var fifteenMinutes: Double
        /// Each thread, last 10 s.
        public var perThread: [Double]
        /// Hashes since the process started.
        public var totalHashes: UInt64
        /// Creates the section.
        public init(tenSeconds: Double, oneMinute: Double, fifteenMinutes: Double, perThread: [Double], totalHashes: UInt64) {
            self.tenSeconds = tenSeconds
            self.oneMinute = oneMinute
            self.fifteenMinutes = fifteenMinutes
            self.perThread = perThread
            self.totalHashes = totalHashes
        }
        enum CodingKeys: String, CodingKey {
            case tenSeconds = "10s", oneMinute = "60s", fifteenMinutes = "15m", perThread = "per_thread", totalHashes = "total_hashes"
        }
    }

    /// Share counts.
    public struct Shares: Sendable, Encodable {
        /// Accepted by the pool.
        public var accepted: UInt64
        /// Rejected, by reason.
        public var rejected: [String: UInt64]
        /// Rejected in total.
        public var rejectedTotal: UInt64
        /// Dropped as stale before submission.
        public var stale: UInt64
        /// Never answered or not sent.
        public var lost: UInt64
        /// Refused by the miner's own re-check.
        public var invalid: UInt64
        /// Sum of pool difficulty over accepted shares.
        public var acceptedDifficulty: Double
        /// Highest share difficulty found.
        public var bestShareDifficulty: Double
        /// Creates the section.
        public init(accepted: UInt64, rejected: [String: UInt64], rejectedTotal: UInt64, stale: UInt64, lost: UInt64,
                    invalid: UInt64, acceptedDifficulty: Double, bestShareDifficulty: Double) {
            self.accepted = accepted
            self.rejected = rejected
            self.rejectedTotal = rejectedTotal
            self.stale = stale
            self.lost = lost
            self.invalid = invalid
            self.acceptedDifficulty = acceptedDifficulty
            self.bestShareDifficulty = bestShareDifficulty
        }
        enum CodingKeys: String, CodingKey {
            case accepted, rejected, stale, lost, invalid
            case rejectedTotal = "rejected_total", acceptedDifficulty = "accepted_difficulty", bestShareDifficulty = "best_share_difficulty"
        }
    }

    /// The current job.
    public struct Job: Sendable, Encodable {
        /// Job ID.
        public var id: String
        /// Seconds since it arrived.
        public var ageSeconds: Double
        /// Share difficulty in force.
        public var difficulty: Double
        /// Share target, 64 hex digits, most significant first.
        public var target: String
        /// Whether it voided older jobs.
        public var clean: Bool
        /// extranonce2 size in bytes.
        public var extranonce2Size: Int
        /// Creates the section.
        public init(id: String, ageSeconds: Double, difficulty: Double, target: String, clean: Bool, extranonce2Size: Int) {
            self.id = id
            self.ageSeconds = ageSeconds
            self.difficulty = difficulty
            self.target = target
            self.clean = clean
            self.extranonce2Size = extranonce2Size
        }
        enum CodingKeys: String, CodingKey {
            case id, difficulty, target, clean
            case ageSeconds = "age_seconds", extranonce2Size = "extranonce2_size"
        }
    }

    /// The pool connection.
    public struct Pool: Sendable, Encodable {
        /// The active pool's id.
        public var id: Int?
        /// URL.
        public var url: String
        /// Worker name.
        public var user: String
        /// Subscribed and authorized.
        public var connected: Bool
        /// Seconds since connected, or null.
        public var connectedForSeconds: Double?
        /// Round trip of the last answered share in milliseconds, or null.
        public var lastShareRoundTripMs: Double?
        /// The last connection problem, or null.
        public var lastError: String?
        /// Seconds the oldest unanswered request has waited, or null: a pool that stops answering shows here
        /// before the response timeout ends its session.
        public var oldestUnansweredSeconds: Double?
        /// Creates the section.
        public init(id: Int?, url: String, user: String, connected: Bool, connectedForSeconds: Double?,
                    lastShareRoundTripMs: Double?, lastError: String?, oldestUnansweredSeconds: Double? = nil) {
            self.id = id
            self.url = url
            self.user = user
            self.connected = connected
            self.connectedForSeconds = connectedForSeconds
            self.lastShareRoundTripMs = lastShareRoundTripMs
            self.lastError = lastError
            self.oldestUnansweredSeconds = oldestUnansweredSeconds
        }
        enum CodingKeys: String, CodingKey {
            case id, url, user, connected
            case connectedForSeconds = "connected_for_seconds", lastShareRoundTripMs = "last_share_round_trip_ms", lastError = "last_error"
            case oldestUnansweredSeconds = "oldest_unanswered_seconds"
        }
        /// Writes nulls explicitly so the document always has the same keys.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(url, forKey: .url)
            try container.encode(user, forKey: .user)
            try container.encode(connected, forKey: .connected)
            try container.encode(connectedForSeconds, forKey: .connectedForSeconds)
            try container.encode(lastShareRoundTripMs, forKey: .lastShareRoundTripMs)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(oldestUnansweredSeconds, forKey: .oldestUnansweredSeconds)
        }
    }

    /// Creates the document.
    public init(state: String, uptimeSeconds: Double, algorithm: String, kernel: String, threads: Int, hashrate: Hashrate,
                shares: Shares, job: Job?, pool: Pool, pools: [PoolDocument], kernelReview: KernelReview? = nil) {
        self.state = state
        self.uptimeSeconds = uptimeSeconds
        self.algorithm = algorithm
        self.kernel = kernel
        self.threads = threads
        self.hashrate = hashrate
        self.shares = shares
        self.job = job
        self.pool = pool
        self.pools = pools
        self.kernelReview = kernelReview
    }

    enum CodingKeys: String, CodingKey {
        case state, algorithm, kernel, threads, hashrate, shares, job, pool, pools
        case uptimeSeconds = "uptime_seconds"
        case kernelReview = "kernel_review"
    }

    /// Writes `job: null` and `kernel_review: null` explicitly.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try container.encode(algorithm, forKey: .algorithm)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(threads, forKey: .threads)
        try container.encode(hashrate, forKey: .hashrate)
        try container.encode(shares, forKey: .shares)
        try container.encode(job, forKey: .job)
        try container.encode(pool, forKey: .pool)
        try container.encode(pools, forKey: .pools)
        try container.encode(kernelReview, forKey: .kernelReview)
    }
}

/// `POST /mining/start|stop` answers.
public struct MiningStateDocument: Sendable, Encodable {
    /// `mining`, `connecting` or `stopped`.
    public var state: String
    /// Creates the document.
    public init(state: String) { self.state = state }
}

/// A pool as the API shows it: the password is write-only and never appears.
public struct PoolDocument: Sendable, Encodable, Equatable {
    /// Stable id.
    public var id: Int
    /// `stratum+tcp://host:port`.
    public var url: String
    /// Worker name.
    public var user: String
    /// Algorithm mined on this pool.
    public var algorithm: String
    /// Lower numbers are tried first.
    public var priority: Int
    /// Whether this is the pool in use.
    public var active: Bool
    /// Whether a password is set (the password itself is never returned).
    public var passwordSet: Bool
    /// `active`, `connecting`, `failing` or `standby` (`standby` for every pool while not mining).
    public var state: String
    /// Failed sessions in a row.
    public var failures: Int
    /// Why its last session failed, if it did.
    public var lastError: String?
    /// Shares this pool accepted since the service started.
    public var accepted: UInt64 = 0
    /// Shares it rejected.
    public var rejected: UInt64 = 0
    /// Shares found for its jobs that were stale before they could be sent.
    public var stale: UInt64 = 0
    /// Shares it never answered, or that could not be sent to it.
    public var lost: UInt64 = 0
    /// A TLS pool's PEM file of CAs trusted instead of the system's, if any.
    public var tlsCA: String?
    /// A TLS pool's pinned certificate SHA-256 (`AB:CD:…`), if any.
    public var tlsFingerprint: String?
    /// Whether a TLS pool's certificate checks are off.
    public var tlsInsecure = false
    /// Whether `mining.extranonce.subscribe` is sent after authorizing.
    public var extranonceSubscribe = true
    /// The difficulty asked for with `mining.suggest_difficulty`, if any.
    public var suggestDifficulty: Double?

    /// Creates the document.
    public init(id: Int, url: String, user: String, algorithm: String, priority: Int, active: Bool, passwordSet: Bool,
                state: String = "standby", failures: Int = 0, lastError: String? = nil) {
        self.id = id
        self.url = url
        self.user = user
        self.algorithm = algorithm
        self.priority = priority
        self.active = active
        self.passwordSet = passwordSet
        self.state = state
        self.failures = failures
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case id, url, user, algorithm, priority, active, state, failures, accepted, rejected, stale, lost
        case passwordSet = "password_set", tlsCA = "tls_ca", tlsFingerprint = "tls_fingerprint", tlsInsecure = "tls_insecure"
        case lastError = "last_error", extranonceSubscribe = "extranonce_subscribe", suggestDifficulty = "suggest_difficulty"
    }

    /// Encodes every field, the optional ones (`last_error`, the TLS file and fingerprint, `suggest_difficulty`) as null when unset.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(user, forKey: .user)
        try container.encode(algorithm, forKey: .algorithm)
        try container.encode(priority, forKey: .priority)
        try container.encode(active, forKey: .active)
        try container.encode(passwordSet, forKey: .passwordSet)
        try container.encode(state, forKey: .state)
        try container.encode(failures, forKey: .failures)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(accepted, forKey: .accepted)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(stale, forKey: .stale)
        try container.encode(lost, forKey: .lost)
        try container.encode(tlsCA, forKey: .tlsCA)
        try container.encode(tlsFingerprint, forKey: .tlsFingerprint)
        try container.encode(tlsInsecure, forKey: .tlsInsecure)
        try container.encode(extranonceSubscribe, forKey: .extranonceSubscribe)
        try container.encode(suggestDifficulty, forKey: .suggestDifficulty)
    }
}


/// Fields of a pool to create or change (`nil`: not given).
public struct PoolInput: Sendable, Equatable {
    /// New URL.
    public var url: String?
    /// New worker name.
    public var user: String?
    /// New password.
    public var password: String?
    /// New algorithm.
    public var algorithm: String?
    /// New priority.
    public var priority: Int?
    /// A PEM file of CAs to trust for this TLS pool (`""` clears it).
    public var tlsCA: String?
    /// A SHA-256 certificate fingerprint to pin (`""` clears it).
    public var tlsFingerprint: String?
    /// Turn certificate checks off (true) or on.
    public var tlsInsecure: Bool?
    /// Send `mining.extranonce.subscribe` after authorizing.
    public var extranonceSubscribe: Bool?
    /// A difficulty to ask for with `mining.suggest_difficulty` (0 clears it).
    public var suggestDifficulty: Double?
    /// Creates an input.
    public init(url: String? = nil, user: String? = nil, password: String? = nil, algorithm: String? = nil, priority: Int? = nil,
                tlsCA: String? = nil, tlsFingerprint: String? = nil, tlsInsecure: Bool? = nil, extranonceSubscribe: Bool? = nil,
                suggestDifficulty: Double? = nil) {
        self.url = url
        self.user = user
        self.password = password
        self.algorithm = algorithm
        self.priority = priority
        self.tlsCA = tlsCA
        self.tlsFingerprint = tlsFingerprint
        self.tlsInsecure = tlsInsecure
        self.extranonceSubscribe = extranonceSubscribe
        self.suggestDifficulty = suggestDifficulty
    }
}

/// `GET /config`.
public struct ConfigDocument: Sendable, Encodable, Equatable {
    /// Hashing threads.
    public var threads: Int
    /// Algorithm for pools that do not name one.
    public var algorithm: String
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel: String
    /// Whether mining starts with the process.
    public var autostart: Bool
    /// Creates the document.
    public init(threads: Int, algorithm: String, logLevel: String, autostart: Bool) {
        self.threads = threads
        self.algorithm = algorithm
        self.logLevel = logLevel
        self.autostart = autostart
    }
    enum CodingKeys: String, CodingKey {
        case threads, algorithm, autostart
        case logLevel = "log_level"
    }
}

/// Fields of the configuration to change (`nil`: not given).
public struct ConfigInput: Sendable, Equatable {
    /// Threads.
    public var threads: Int?
    /// Default algorithm.
    public var algorithm: String?
    /// Log level.
    public var logLevel: String?
    /// Autostart.
    public var autostart: Bool?
    /// Creates an input.
    public init(threads: Int? = nil, algorithm: String? = nil, logLevel: String? = nil, autostart: Bool? = nil) {
        self.threads = threads
        self.algorithm = algorithm
        self.logLevel = logLevel
        self.autostart = autostart
    }
}

/// `GET /readyz`.
public struct ReadinessDocument: Sendable, Encodable {
    /// Whether every check passes.
    public var ready: Bool
    /// Each check by name: `authorized`, `fresh_job`, `hashing`.
    public var checks: [String: Bool]
    /// Creates the document.
    public init(ready: Bool, checks: [String: Bool]) {
        self.ready = ready
        self.checks = checks
    }
}
