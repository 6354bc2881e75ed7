#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over POSIX sockets, shared by the pool connection and the embedded test pool.
public enum Socket {
    /// Resolves `host` and connects a TCP socket, giving up after `timeoutMilliseconds`.
    /// Returns the descriptor, or throws a ``StratumError/connection(_:)`` with the reason.
    public static func connect(host: String, port: Int, timeoutMilliseconds: Int32 = 10_000) throws(StratumError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connection("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
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
        throw .connection("cannot connect to \(host):\(port): \(lastError)")
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
