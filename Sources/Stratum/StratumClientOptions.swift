/// Tunables of ``StratumClient``; the defaults follow what trusted miners do (see STRATUM notes in README).
public struct StratumClientOptions: Sendable {
    /// Sent in `mining.subscribe` and answered to `client.get_version`.
    public var userAgent: String
    /// Longest accepted line in bytes; longer lines are dropped with a warning.
    public var maximumLineBytes = 65_536
    /// How long to wait for a reply to subscribe, authorize or submit.
    public var responseTimeout: Duration = .seconds(120)
    /// Reconnect when nothing arrives for this long.
    public var silenceTimeout: Duration = .seconds(120)
    /// First pause before reconnecting; doubles up to ``maximumReconnectDelay``, with jitter.
    public var minimumReconnectDelay: Duration = .seconds(1)
    /// Longest pause before reconnecting.
    public var maximumReconnectDelay: Duration = .seconds(60)
    /// TCP connect timeout in milliseconds.
    public var connectTimeoutMilliseconds: Int32 = 10_000
    /// How often timers are checked while the line is quiet, in milliseconds.
    public var tickMilliseconds: Int32 = 500
    /// Log every line sent and received (`-P`); passwords are masked.
    public var dumpProtocol = false

    /// Options with a user agent.
    public init(userAgent: String) { self.userAgent = userAgent }
}
