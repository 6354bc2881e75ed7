#if canImport(Glibc)
import Glibc
#endif
import Guarded
import NIOCore

/// Socket options that let the kernel find a dead path to a pool: a pool host that vanished (a cut link,
/// a firewall, a route gone) sends no RST, and without these a connection to it stays "up" while the
/// kernel retransmits for about 15 minutes.
enum PoolSocket {
    /// Keepalive probes while the connection is idle, and `TCP_USER_TIMEOUT`: data the pool has not
    /// acknowledged within the response timeout ends the connection.
    static func deadPathOptions(_ options: StratumClientOptions) -> [(ChannelOptions.Types.SocketOption, SocketOptionValue)] {
        var socketOptions: [(ChannelOptions.Types.SocketOption, SocketOptionValue)] = [(.socketOption(.so_keepalive), 1)]
        #if os(Linux)
        socketOptions += [
            (.tcpOption(.init(rawValue: CInt(TCP_KEEPIDLE))), seconds(options.keepaliveIdle)),
            (.tcpOption(.init(rawValue: CInt(TCP_KEEPINTVL))), seconds(options.keepaliveInterval)),
            (.tcpOption(.init(rawValue: CInt(TCP_KEEPCNT))), SocketOptionValue(max(1, options.keepaliveProbes))),
            (.tcpOption(.init(rawValue: CInt(TCP_USER_TIMEOUT))), milliseconds(options.responseTimeout)),
        ]
        #endif
        return socketOptions
    }

    private static func seconds(_ duration: Duration) -> SocketOptionValue {
        SocketOptionValue(max(1, min(duration.components.seconds, 32_767)))
    }

    private static func milliseconds(_ duration: Duration) -> SocketOptionValue {
        let value = duration.inMilliseconds
        return SocketOptionValue(max(1, min(value, Int64(Int32.max))))
    }
}
