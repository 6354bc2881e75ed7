/// Tunables of ``StratumClient``; the defaults follow what trusted miners do (see STRATUM notes in README).
public struct StratumClientOptions: Sendable {
    /// Sent in `mining.subscribe` and answered to `client.get_version`.
    public var userAgent: String
    /// Longest accepted line in bytes; a longer one ends the session (the client reconnects).
    public var maximumLineBytes = 65_536
    /// How long to wait for a reply to subscribe, authorize or submit.
    public var responseTimeout: Duration = .seconds(120)
    /// Reconnect when nothing arrives for this long.
    public var silenceTimeout: Duration = .seconds(120)
    /// First pause before reconnecting; doubles up to ``maximumReconnectDelay``, with jitter.
    public var minimumReconnectDelay: Duration = .seconds(1)
    /// Longest pause before reconnecting.
    public var maximumReconnectDelay: Duration = .seconds(60)
    /// A pool that has not read this many bytes of ours is dropped and reconnected.
    public var maximumUnsentBytes = 1_048_576
    /// Difficulties below this are ignored (a pool asking for 1e-300 would make every hash a share).
    public var minimumDifficulty = 1.0 / 65_536
    /// A session that gets no job this long after authorizing counts as failed.
    public var jobTimeout: Duration = .seconds(30)
    /// How long a session told to reconnect waits for the answers to shares already sent before it closes.
    public var reconnectGrace: Duration = .seconds(3)
    /// Follow `client.reconnect` to another host (`--allow-redirect`); by default only the same host.
    public var allowRedirect = false
    /// While a backup pool is in use, a higher-priority pool that subscribes and authorizes in every probe
    /// for this long takes over again (`--failback-after`).
    public var failbackAfter: Duration = .seconds(120)
    /// Consecutive failed sessions after which the next pool is tried.
    public var failuresBeforeFailover = 3
    /// TCP connect timeout in milliseconds.
    public var connectTimeoutMilliseconds: Int32 = 10_000
    /// How often a session's timers run, in milliseconds (whatever the traffic).
    public var tickMilliseconds: Int32 = 500
    /// Events a slow consumer may fall behind by before the newest are dropped.
    public var maximumQueuedEvents = 16_384
    /// Log every line sent and received (`-P`); passwords are masked.
    public var dumpProtocol = false

    /// Options with a user agent.
    public init(userAgent: String) { self.userAgent = userAgent }
}
