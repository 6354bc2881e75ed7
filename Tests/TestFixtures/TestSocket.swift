import Glibc

/// Blocking POSIX sockets for tests that play a peer by hand (a scripted pool, a raw miner), on their own
/// threads (see ``offThePool(_:)``). The product itself speaks TCP through SwiftNIO.
public enum TestSocket {
    /// A socket call that failed, with the reason.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Resolves `host` and connects a TCP socket, giving up after `timeoutMilliseconds`.
    /// Returns the descriptor, or throws a ``StratumError/connection(_:)`` with the reason.
    public static func connect(host: String, port: Int, timeoutMilliseconds: Int32 = 10_000) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address for \(host)"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd < 0 { lastError = errorText(); continue }
            let flags = fcntl(fd, F_GETFL, 0)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&descriptor, 1, timeoutMilliseconds) == 1 {
                    var code: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                    result = code == 0 ? 0 : -1
                    if code != 0 { lastError = String(cString: strerror(code)) }
                } else {
                    lastError = "timed out after \(timeoutMilliseconds) ms"
                }
            } else if result != 0 {
                lastError = errorText()
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            Glibc.close(fd)
        }
        throw Failure("cannot connect to \(host):\(port): \(lastError)")
    }

    /// Writes all of `text` (never raising SIGPIPE); false when the peer is gone.
    public static func sendAll(_ fd: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// Waits up to `timeoutMilliseconds` for data; returns the bytes read into `buffer`, 0 on timeout,
    /// or -1 when the connection is closed or failed.
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> Int {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready == 0 || (ready < 0 && errno == EINTR) { return 0 }
        if ready < 0 { return -1 }
        let count = recv(fd, buffer.baseAddress, buffer.count, 0)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return 0 }
        return count > 0 ? count : -1
    }

    /// Wakes any thread blocked on `fd` (its next read sees end of stream).
    public static func shutdown(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Closes `fd`.
    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// The last system error as text.
    public static func errorText() -> String { String(cString: strerror(errno)) }
}

extension TestSocket {
    /// Opens a TCP listening socket on `host` (an IPv4 or IPv6 literal) and `port` (0 picks a free one).
    /// Returns the descriptor and the bound port.
    public static func listen(host: String, port: Int, backlog: Int32 = 64) throws(Failure) -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw Failure("\(host) is not an IP address")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure("socket: \(errorText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let why = errorText()
            Glibc.close(fd)
            throw Failure("cannot bind \(host):\(port): \(why)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let why = errorText()
            Glibc.close(fd)
            throw Failure("cannot listen on \(host):\(port): \(why)")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &storage) { pointer -> Int in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getsockname(fd, address, &length)
                if address.pointee.sa_family == sa_family_t(AF_INET6) {
                    return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
                }
                return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        }
        return (fd, bound)
    }

    /// Waits up to `timeoutMilliseconds` for a connection; returns its descriptor (sends on it give up
    /// after 5 s), nil on timeout, or -1 when the listening socket was closed.
    public static func accept(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready == 0 || (ready < 0 && errno == EINTR) { return nil }
        if ready < 0 || descriptor.revents & Int16(POLLNVAL | POLLERR | POLLHUP) != 0 { return -1 }
        let client = Glibc.accept(fd, nil, nil)
        if client < 0 { return (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) ? nil : -1 }
        var one: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // A test's send never waits for ever on a peer that stopped reading.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return client
    }
}
