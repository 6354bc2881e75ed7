import Guarded
import Foundation
import Synchronization

/// A TCP connection that speaks newline-delimited text, with a dedicated reader thread.
///
/// The reader thread connects, then turns incoming bytes into ``Event``s on ``events``; it also emits
/// ``Event/idle`` about once per `idleInterval` of silence so the consumer can run its timers. Writes
/// happen on the caller's thread under a lock. ``close()`` ends the reader; the descriptor is closed by
/// the reader thread itself, so it is never reused while another thread still holds it.
public final class LineConnection: Sendable {
    /// What the reader thread reports.
    public enum Event: Sendable, Equatable {
        /// The TCP connection is up.
        case connected
        /// One line (without its newline).
        case line(String)
        /// A line over the cap was dropped (its size so far).
        case oversized(Int)
        /// Nothing arrived for a while.
        case idle
        /// The connection ended; the reason, or nil when closed by us.
        case closed(String?)
    }

    /// The reader's events, ending after ``Event/closed(_:)``.
    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let descriptor = Locked<Int32>(-1)
    private let closing = Atomic<Bool>(false)

    /// Starts connecting to `host:port` on a new thread.
    public init(host: String, port: Int, maximumLineBytes: Int = 65_536, idleMilliseconds: Int32 = 1_000,
                connectTimeoutMilliseconds: Int32 = 10_000) {
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        DedicatedThread.start(name: "nm-pool-reader") { [self] in
            self.readLoop(host: host, port: port, maximumLineBytes: maximumLineBytes, idle: idleMilliseconds,
                          connectTimeout: connectTimeoutMilliseconds)
        }
    }

    /// Wraps an accepted socket (used by servers); the reader starts at once.
    public init(acceptedDescriptor fd: Int32, maximumLineBytes: Int = 65_536, idleMilliseconds: Int32 = 1_000) {
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        descriptor.withLock { $0 = fd }
        DedicatedThread.start(name: "nm-line-reader") { [self] in
            self.receive(fd: fd, maximumLineBytes: maximumLineBytes, idle: idleMilliseconds)
        }
    }

    /// Sends one line (a newline is appended). Returns false if not connected or the write failed.
    @discardableResult
    public func send(_ line: String) -> Bool {
        descriptor.withLock { fd in
            fd >= 0 && Socket.sendAll(fd, line + "\n")
        }
    }

    /// Closes the connection; the reader reports ``Event/closed(_:)`` with nil and stops.
    public func close() {
        closing.store(true, ordering: .sequentiallyConsistent)
        descriptor.withLock { fd in if fd >= 0 { Socket.shutdown(fd) } }
    }

    private func readLoop(host: String, port: Int, maximumLineBytes: Int, idle: Int32, connectTimeout: Int32) {
        let fd: Int32
        do {
            fd = try Socket.connect(host: host, port: port, timeoutMilliseconds: connectTimeout)
        } catch {
            continuation.yield(.closed(error.description))
            continuation.finish()
            return
        }
        let alreadyClosing = descriptor.withLock { stored -> Bool in
            stored = fd
            return closing.load(ordering: .sequentiallyConsistent)
        }
        if alreadyClosing { Socket.shutdown(fd) }
        continuation.yield(.connected)
        receive(fd: fd, maximumLineBytes: maximumLineBytes, idle: idle)
    }

    private func receive(fd: Int32, maximumLineBytes: Int, idle: Int32) {
        var framer = LineFramer(maximumLineBytes: maximumLineBytes)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16_384, alignment: 1)
        defer { buffer.deallocate() }
        var reason: String? = "the peer closed the connection"
        while true {
            let count = Socket.receive(fd, into: buffer, timeoutMilliseconds: idle)
            if count < 0 { break }
            if closing.load(ordering: .sequentiallyConsistent) { break }
            if count == 0 {
                continuation.yield(.idle)
                continue
            }
            for event in framer.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                switch event {
                case .line(let line): continuation.yield(.line(line))
                case .oversized(let size): continuation.yield(.oversized(size))
                }
            }
        }
        if closing.load(ordering: .sequentiallyConsistent) { reason = nil }
        descriptor.withLock { stored in
            Socket.close(stored)
            stored = -1
        }
        continuation.yield(.closed(reason))
        continuation.finish()
    }
}
