/// Where and how the control API listens.
public struct HTTPServerConfiguration: Sendable {
    /// The address to bind (an IPv4 or IPv6 literal). Loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one.
    public var port = 0
    /// Most simultaneous connections.
    public var connectionLimit: UInt32 = 64
    /// Most simultaneous connections from one client address (so one cannot hold them all).
    public var connectionsPerAddress: UInt32 = 32
    /// Idle or slow connections are closed after this many seconds without progress.
    public var timeoutSeconds: UInt32 = 15
    /// Largest accepted request body in bytes (a bigger one gets 413).
    public var maximumBodyBytes = 64 * 1024

    /// Default settings: loopback, a free port.
    public init() {}
}
