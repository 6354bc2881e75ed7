import Guarded
import Foundation
import Stratum
import TestFixtures
import Synchronization

/// A real TCP peer on loopback that plays a script against the client: the hostile or odd pool in a test.
final class ScriptedPeer: Sendable {
    let port: Int
    private let listener: Int32
    private let received = Locked<[String]>([])
    private let connection = Locked<Int32>(-1)

    init() throws {
        (listener, port) = try TestSocket.listen(host: "127.0.0.1", port: 0)
    }

    /// Waits for the client to connect (up to 10 s).
    func accept() throws {
        guard tryAccept(seconds: 10) else { throw StratumError.connection("client never connected") }
    }

    /// Accepts the client and plays a subscription (extranonce1 01000000, 4-byte extranonce2) and a
    /// successful authorization, all on the calling thread: with a short response timeout the answers must
    /// not wait for the test's task to be scheduled again between the steps (on a busy machine it can be
    /// late by seconds).
    func acceptAndHandshake() throws {
        try accept()
        let subscribe = try expect("mining.subscribe")
        send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.notify","ae68"]],"01000000",4],"error":null}"#)
        let authorize = try expect("mining.authorize")
        send(#"{"id":\#(authorize.id.serialized),"result":true,"error":null}"#)
    }

    /// Waits up to `seconds` for the client to connect; returns whether it did.
    func tryAccept(seconds: Double) -> Bool {
        for _ in 0..<max(1, Int(seconds * 10)) {
            if let fd = TestSocket.accept(listener, timeoutMilliseconds: 100), fd >= 0 {
                connection.withLock { old in
                    if old >= 0 { TestSocket.close(old) }
                    old = fd
                }
                return true
            }
        }
        return false
    }

    /// Sends `line` in batches for up to `seconds` without ever reading, until the client is gone;
    /// returns how many lines were sent.
    func flood(_ line: String, seconds: Double) -> Int {
        let fd = connection.withLock { $0 }
        let batch = String(repeating: line + "\n", count: 500)
        let deadline = Date().addingTimeInterval(seconds)
        var sent = 0
        while Date() < deadline, TestSocket.sendAll(fd, batch) { sent += 500 }
        return sent
    }

    func send(_ line: String) {
        let fd = connection.withLock { $0 }
        _ = TestSocket.sendAll(fd, line + "\n")
    }

    /// Reads lines until one calls `method` (up to 10 s); returns its parsed id and params.
    func expect(_ method: String) throws -> (id: JSONValue, params: [JSONValue]) {
        let deadline = Date().addingTimeInterval(10)
        var buffer = [UInt8]()
        let fd = connection.withLock { $0 }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { chunk.deallocate() }
        while Date() < deadline {
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                received.withLock { $0.append(line) }
                if case .request(let id, let name, let params)? = try? StratumMessage.parse(line), name == method {
                    return (id, params)
                }
            }
            let count = TestSocket.receive(fd, into: chunk, timeoutMilliseconds: 100)
            if count < 0 { throw StratumError.connection("client closed while waiting for \(method)") }
            buffer += chunk[0..<count]
        }
        throw StratumError.connection("no \(method) within 10 s")
    }

    /// Reads lines for `seconds` and returns them.
    func drain(seconds: Double) -> [String] {
        let fd = connection.withLock { $0 }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { chunk.deallocate() }
        var text = [UInt8]()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let count = TestSocket.receive(fd, into: chunk, timeoutMilliseconds: 50)
            if count < 0 { break }
            text += chunk[0..<count]
        }
        return String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func closeConnection() {
        connection.withLock { fd in
            if fd >= 0 { TestSocket.shutdown(fd); TestSocket.close(fd); fd = -1 }
        }
    }

    func close() {
        closeConnection()
        TestSocket.close(listener)
    }
}

/// Collects a client's events on a task so tests can wait for one.
final class EventRecorder: Sendable {
    final class Storage: Sendable {
        let events = Locked<[StratumEvent]>([])
    }

    private let storage = Storage()

    init(_ client: StratumClient) {
        Task { [storage] in
            for await event in client.events { storage.events.withLock { $0.append(event) } }
        }
    }

    /// Waits up to `seconds` for an event that `match` maps to a value.
    func wait<T>(seconds: Double = 10, _ match: (StratumEvent) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var seen = 0
        while ContinuousClock.now < deadline {
            let fresh = storage.events.withLock { events in events[min(seen, events.count)...].map { $0 } }
            for event in fresh {
                if let value = match(event) { return value }
            }
            seen += fresh.count
            try await Task.sleep(for: .milliseconds(20))
        }
        throw StratumError.connection("expected event did not arrive")
    }

    /// Every event so far, copied under the lock (an array buffer shared with the recording task would be
    /// read here while it appends, which ThreadSanitizer rightly reports).
    var all: [StratumEvent] { storage.events.withLock { $0.map { $0 } } }
}
