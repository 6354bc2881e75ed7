import CMicroHTTPD
import Glibc
import Guarded

/// The control API's HTTP server: libmicrohttpd with its own polling thread (epoll), driven from Swift.
///
/// Requests are answered by a ``HTTPHandler`` on libmicrohttpd's thread; handlers must be quick and
/// never wait on a hashing thread (they read snapshots).
package final class HTTPServer: Sendable {
    /// Why the server could not start.
    package struct StartError: Error, Sendable, CustomStringConvertible {
        /// A sentence for the user.
        package let description: String
    }

    private let context: HTTPServerContext
    /// The running daemon's address (0 once stopped); kept as bits because C pointers are not Sendable.
    private let daemon: Locked<UInt>
    /// The bound port.
    package let port: Int
    /// The bound address.
    package let host: String

    /// Binds and starts answering with `handler`.
    package init(configuration: HTTPServerConfiguration, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws(StartError) {
        context = HTTPServerContext(handler: handler, maximumBodyBytes: configuration.maximumBodyBytes)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let started: OpaquePointer?
        if configuration.host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(configuration.port).bigEndian)
            guard inet_pton(AF_INET6, configuration.host, &address.sin6_addr) == 1 else { throw Self.notAnAddress(configuration) }
            started = Self.startDaemon(at: &address, configuration, contextPointer)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(configuration.port).bigEndian)
            guard inet_pton(AF_INET, configuration.host, &address.sin_addr) == 1 else { throw Self.notAnAddress(configuration) }
            started = Self.startDaemon(at: &address, configuration, contextPointer)
        }
        guard let started else {
            throw StartError(description: "cannot listen on \(configuration.host):\(configuration.port) (address in use or not available)")
        }
        daemon = Locked(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(started))))
        port = Int(nm_daemon_port(started))
        host = configuration.host
    }

    /// Starts libmicrohttpd bound to `address` (a `sockaddr_in` or `sockaddr_in6`).
    private static func startDaemon<Address>(at address: inout Address, _ configuration: HTTPServerConfiguration,
                                             _ context: UnsafeMutableRawPointer) -> OpaquePointer? {
        withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                nm_start_daemon($0, configuration.connectionLimit, configuration.connectionsPerAddress, configuration.timeoutSeconds, 32 * 1024,
                                httpAccessHandler, context, httpCompletedHandler, context)
            }
        }
    }

    private static func notAnAddress(_ configuration: HTTPServerConfiguration) -> StartError {
        StartError(description: "--api-bind \(configuration.host) is not an IP address")
    }

    /// The base URL, e.g. `http://127.0.0.1:8080`.
    package var url: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }

    /// Stops accepting, finishes the requests in progress, and stops the server. Idempotent.
    package func stop() {
        let bits = daemon.withLock { daemon -> UInt in
            let current = daemon
            daemon = 0
            return current
        }
        guard let running = OpaquePointer(bitPattern: bits) else { return }
        // Suspended event streams must be resumed before the daemon stops; they end at their next read.
        context.streams.closeAll()
        let listener = MHD_quiesce_daemon(running)
        MHD_stop_daemon(running)
        if listener >= 0 { close(listener) }
    }

    deinit { stop() }
}

/// What libmicrohttpd's callbacks reach through their context pointer. Immutable, so sharing it with
/// libmicrohttpd's thread is safe.
final class HTTPServerContext: Sendable {
    let handler: @Sendable (HTTPRequest) -> HTTPResponse
    let maximumBodyBytes: Int
    /// The open `GET /events` streams; a keep-alive every 10 s keeps them under the idle timeout.
    let streams = EventStreams(heartbeat: .seconds(10))

    init(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse, maximumBodyBytes: Int) {
        self.handler = handler
        self.maximumBodyBytes = maximumBodyBytes
    }
}

/// A request being received: created on the first callback, released when libmicrohttpd completes it.
/// Only libmicrohttpd's single polling thread touches it.
final class HTTPRequestState {
    var request: HTTPRequest

    init(request: HTTPRequest) { self.request = request }
}
