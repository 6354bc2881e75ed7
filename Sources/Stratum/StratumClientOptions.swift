/// Tunables of ``StratumClient``; the defaults follow what trusted miners do (see STRATUM notes in README).
public struct StratumClientOptions: Sendable {
    /// Sent in `mining.subscribe` and answered to `client.get_version`.
    public var userAgent: String
    /// Longest accepted line in bytes; a longer one ends the session (the client reconnects).
    public var maximumLineBytes = 65_536
    /// How long a request (subscribe, authorize, submit) may go unanswered (`--response-timeout`). Past it
    /// the pool counts as unresponsive: the session ends, the shares in flight are counted as lost, and the
    /// client fails over to the next pool at once (or reconnects when it has only one). It also bounds how
    /// long the kernel keeps unacknowledged data on the pool's socket (`TCP_USER_TIMEOUT`), so a pool host
    /// that vanished ends the connection even before a request is due.
    public var responseTimeout: Duration = .seconds(20)
    /// Reconnect when nothing arrives for this long.
    public var silenceTimeout: Duration = .seconds(120)
    /// TCP keepalive on the pool's socket: probes start after this much idle time, and a path that answers
    /// none of ``keepaliveProbes`` probes (``keepaliveInterval`` apart) ends the connection. A dead path
    /// is found this way even while the miner has nothing to submit.
    public var keepaliveIdle: Duration = .seconds(10)
    /// Time between keepalive probes.
    public var keepaliveInterval: Duration = .seconds(5)
    /// Unanswered keepalive probes that end the connection.
    public var keepaliveProbes = 3
    /// First pause before reconnecting; doubles up to ``maximumReconnectDelay``, with jitter.
    public var minimumReconnectDelay: Duration = .seconds(1)
    /// Longest pause before reconnecting.
    public var maximumReconnectDelay: Duration = .seconds(60)
    /// A pool that has not read this many bytes of ours is dropped and reconnected.
    public var maximumUnsentBytes = 1_048_576
    /// The least work a share may stand for, in expected hashes: a `mining.set_difficulty` whose target
    /// would let shares come more often than one per this many hashes is ignored (a pool asking for 1e-300
    /// would make every hash a share). Per algorithm, in the algorithm's own difficulty units: 256 hashes
    /// is difficulty 2^-24 for SHA256d and 2^-8 for scrypt (whose difficulty-1 target is 65,536 times
    /// easier). Above the floor, the engine's cap on shares per second per thread keeps a low difficulty
    /// from becoming a flood of submits.
    public var minimumHashesPerShare = 256.0
    /// A session that gets no job this long after authorizing counts as failed.
    public var jobTimeout: Duration = .seconds(30)
    /// How long a session told to reconnect waits for the answers to shares already sent before it closes.
    public var reconnectGrace: Duration = .seconds(3)
    /// The longest pause a `client.reconnect` may ask for; a longer `wait` is cut to this (and logged).
    public var maximumRedirectWait: Duration = .seconds(60)
    /// With backup pools, a `client.reconnect` that asks to wait longer than this moves to the next pool
    /// at once instead of idling; failback brings the miner back once the pool is healthy again.
    public var redirectFailoverWait: Duration = .seconds(10)
    /// Follow `client.reconnect` to another host (`--allow-redirect`); by default only the same host.
    public var allowRedirect = false
    /// While a backup pool is in use, a higher-priority pool that subscribes and authorizes in every probe
    /// for this long takes over again (`--failback-after`).
    public var failbackAfter: Duration = .seconds(120)
    /// Consecutive failed sessions after which the next pool is tried.
    public var failuresBeforeFailover = 3
    /// TCP connect timeout in milliseconds. A pool that cannot be reached (timeout, no route, refused)
    /// is left for the next pool at once.
    public var connectTimeoutMilliseconds: Int32 = 5_000
    /// How often a session's timers run, in milliseconds (whatever the traffic).
    public var tickMilliseconds: Int32 = 500
    /// Events a slow consumer may fall behind by before the newest are dropped.
    public var maximumQueuedEvents = 16_384
    /// Log every line sent and received (`-P`); passwords are masked.
    public var dumpProtocol = false

    /// Options with a user agent.
    public init(userAgent: String) { self.userAgent = userAgent }
}
