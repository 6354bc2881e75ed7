/// Where and how the control API listens.
package struct HTTPServerConfiguration: Sendable {
    /// The address to bind (an IPv4 or IPv6 literal). Loopback unless told otherwise.
    package var host = "127.0.0.1"
    /// The port; 0 picks a free one.
    package var port = 0
    /// Most simultaneous connections.
    package var connectionLimit: UInt32 = 64
    /// Most simultaneous connections from one client address (so one cannot hold them all).
    package var connectionsPerAddress: UInt32 = 32
    /// Idle or slow connections are closed after this many seconds without progress.
    package var timeoutSeconds: UInt32 = 15
    /// Largest accepted request body in bytes (a bigger one gets 413).
    package var maximumBodyBytes = 64 * 1024

    /// Default settings: loopback, a free port.
    package init() {}
}
