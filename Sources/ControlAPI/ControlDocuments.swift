/// The JSON documents of the control API (see `openapi.yaml`). Field names are stable: add, never rename.

/// `GET /stats`.
package struct StatsDocument: Sendable, Encodable {
    /// `mining`, `connecting` or `stopped`.
    package var state: String
    /// Seconds since mining started (0 when stopped).
    package var uptimeSeconds: Double
    /// Algorithm name.
    package var algorithm: String
    /// The hashing kernel.
    package var kernel: String
    /// Hashing threads running.
    package var threads: Int
    /// Hash rates in H/s.
    package var hashrate: Hashrate
    /// Share counts.
    package var shares: Shares
    /// The current job, or null.
    package var job: Job?
    /// The pool connection.
    package var pool: Pool
    /// Every pool in the order they are tried, with where each stands and its share counts (as `GET /pools`).
    package var pools: [PoolDocument]
    /// The last review of the kernel in use against its runner-up, or null before the first.
    package var kernelReview: KernelReview?

    /// The kernel review: every few minutes one thread times the calibration's runner-up against the kernel
    /// in use on real work, and moves every thread to it when it wins three reviews in a row.
    package struct KernelReview: Sendable, Encodable {
        /// The algorithm reviewed.
        package var algorithm: String
        /// The kernel in use.
        package var kernel: String
        /// The kernel timed against it.
        package var runnerUp: String
        /// The kernel in use's median in the last review, hashes per second of one thread's CPU time.
        package var kernelHashesPerSecond: Double
        /// The runner-up's.
        package var runnerUpHashesPerSecond: Double
        /// Reviews done.
        package var reviews: Int
        /// Reviews in a row the runner-up won.
        package var runnerUpWins: Int
        /// Switches made.
        package var switches: Int

        /// Creates the section.
        package init(algorithm: String, kernel: String, runnerUp: String, kernelHashesPerSecond: Double, runnerUpHashesPerSecond: Double,
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
    package struct Hashrate: Sendable, Encodable {
        /// Last 10 s.
        package var tenSeconds: Double
        /// Last 60 s.
        package var oneMinute: Double
        /// Last 15 min.
        package var fifteenMinutes: Double
        /// Each thread, last 10 s.
        package var perThread: [Double]
        /// Hashes since the process started.
        package var totalHashes: UInt64
        /// Creates the section.
        package init(tenSeconds: Double, oneMinute: Double, fifteenMinutes: Double, perThread: [Double], totalHashes: UInt64) {
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
    package struct Shares: Sendable, Encodable {
        /// Accepted by the pool.
        package var accepted: UInt64
        /// Rejected, by reason.
        package var rejected: [String: UInt64]
        /// Rejected in total.
        package var rejectedTotal: UInt64
        /// Dropped as stale before submission.
        package var stale: UInt64
        /// Never answered or not sent.
        package var lost: UInt64
        /// Refused by the miner's own re-check.
        package var invalid: UInt64
        /// Sum of pool difficulty over accepted shares.
        package var acceptedDifficulty: Double
        /// Highest share difficulty found.
        package var bestShareDifficulty: Double
        /// Creates the section.
        package init(accepted: UInt64, rejected: [String: UInt64], rejectedTotal: UInt64, stale: UInt64, lost: UInt64,
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
    package struct Job: Sendable, Encodable {
        /// Job ID.
        package var id: String
        /// Seconds since it arrived.
        package var ageSeconds: Double
        /// Share difficulty in force.
        package var difficulty: Double
        /// Share target, 64 hex digits, most significant first.
        package var target: String
        /// Whether it voided older jobs.
        package var clean: Bool
        /// extranonce2 size in bytes.
        package var extranonce2Size: Int
        /// Creates the section.
        package init(id: String, ageSeconds: Double, difficulty: Double, target: String, clean: Bool, extranonce2Size: Int) {
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
    package struct Pool: Sendable, Encodable {
        /// The active pool's id.
        package var id: Int?
        /// URL.
        package var url: String
        /// Worker name.
        package var user: String
        /// Subscribed and authorized.
        package var connected: Bool
        /// Seconds since connected, or null.
        package var connectedForSeconds: Double?
        /// Round trip of the last answered share in milliseconds, or null.
        package var lastShareRoundTripMs: Double?
        /// The last connection problem, or null.
        package var lastError: String?
        /// Seconds the oldest unanswered request has waited, or null: a pool that stops answering shows here
        /// before the response timeout ends its session.
        package var oldestUnansweredSeconds: Double?
        /// Creates the section.
        package init(id: Int?, url: String, user: String, connected: Bool, connectedForSeconds: Double?,
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
        package func encode(to encoder: any Encoder) throws {
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
    package init(state: String, uptimeSeconds: Double, algorithm: String, kernel: String, threads: Int, hashrate: Hashrate,
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
    package func encode(to encoder: any Encoder) throws {
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
package struct MiningStateDocument: Sendable, Encodable {
    /// `mining`, `connecting` or `stopped`.
    package var state: String
    /// Creates the document.
    package init(state: String) { self.state = state }
}

/// A pool as the API shows it: the password is write-only and never appears.
package struct PoolDocument: Sendable, Encodable, Equatable {
    /// Stable id.
    package var id: Int
    /// `stratum+tcp://host:port`.
    package var url: String
    /// Worker name.
    package var user: String
    /// Algorithm mined on this pool.
    package var algorithm: String
    /// Lower numbers are tried first.
    package var priority: Int
    /// Whether this is the pool in use.
    package var active: Bool
    /// Whether a password is set (the password itself is never returned).
    package var passwordSet: Bool
    /// `active`, `connecting`, `failing` or `standby` (`standby` for every pool while not mining).
    package var state: String
    /// Failed sessions in a row.
    package var failures: Int
    /// Why its last session failed, if it did.
    package var lastError: String?
    /// Shares this pool accepted since the service started.
    package var accepted: UInt64 = 0
    /// Shares it rejected.
    package var rejected: UInt64 = 0
    /// Shares found for its jobs that were stale before they could be sent.
    package var stale: UInt64 = 0
    /// Shares it never answered, or that could not be sent to it.
    package var lost: UInt64 = 0
    /// A TLS pool's PEM file of CAs trusted instead of the system's, if any.
    package var tlsCA: String?
    /// A TLS pool's pinned certificate SHA-256 (`AB:CD:…`), if any.
    package var tlsFingerprint: String?
    /// Whether a TLS pool's certificate checks are off.
    package var tlsInsecure = false
    /// Whether `mining.extranonce.subscribe` is sent after authorizing.
    package var extranonceSubscribe = true
    /// The difficulty asked for with `mining.suggest_difficulty`, if any.
    package var suggestDifficulty: Double?

    /// Creates the document.
    package init(id: Int, url: String, user: String, algorithm: String, priority: Int, active: Bool, passwordSet: Bool,
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
    package func encode(to encoder: any Encoder) throws {
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
package struct PoolInput: Sendable, Equatable {
    /// New URL.
    package var url: String?
    /// New worker name.
    package var user: String?
    /// New password.
    package var password: String?
    /// New algorithm.
    package var algorithm: String?
    /// New priority.
    package var priority: Int?
    /// A PEM file of CAs to trust for this TLS pool (`""` clears it).
    package var tlsCA: String?
    /// A SHA-256 certificate fingerprint to pin (`""` clears it).
    package var tlsFingerprint: String?
    /// Turn certificate checks off (true) or on.
    package var tlsInsecure: Bool?
    /// Send `mining.extranonce.subscribe` after authorizing.
    package var extranonceSubscribe: Bool?
    /// A difficulty to ask for with `mining.suggest_difficulty` (0 clears it).
    package var suggestDifficulty: Double?
    /// Creates an input.
    package init(url: String? = nil, user: String? = nil, password: String? = nil, algorithm: String? = nil, priority: Int? = nil,
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
package struct ConfigDocument: Sendable, Encodable, Equatable {
    /// Hashing threads.
    package var threads: Int
    /// Algorithm for pools that do not name one.
    package var algorithm: String
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    package var logLevel: String
    /// Whether mining starts with the process.
    package var autostart: Bool
    /// Creates the document.
    package init(threads: Int, algorithm: String, logLevel: String, autostart: Bool) {
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
package struct ConfigInput: Sendable, Equatable {
    /// Threads.
    package var threads: Int?
    /// Default algorithm.
    package var algorithm: String?
    /// Log level.
    package var logLevel: String?
    /// Autostart.
    package var autostart: Bool?
    /// Creates an input.
    package init(threads: Int? = nil, algorithm: String? = nil, logLevel: String? = nil, autostart: Bool? = nil) {
        self.threads = threads
        self.algorithm = algorithm
        self.logLevel = logLevel
        self.autostart = autostart
    }
}

/// `GET /readyz`.
package struct ReadinessDocument: Sendable, Encodable {
    /// Whether every check passes.
    package var ready: Bool
    /// Each check by name: `authorized`, `fresh_job`, `hashing`.
    package var checks: [String: Bool]
    /// Creates the document.
    package init(ready: Bool, checks: [String: Bool]) {
        self.ready = ready
        self.checks = checks
    }
}
