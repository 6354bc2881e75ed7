import Foundation

/// A client of `GET /events` that reads Server-Sent Events off a real socket (HTTP/1.0, so the body is the
/// plain stream), one event at a time, with a time limit on each wait.
public final class EventStreamClient: @unchecked Sendable {  // read by one thread at a time: tests hand it over, never share it
    /// One event.
    public struct Event: Sendable, Equatable {
        /// `id:`.
        public var id: UInt64?
        /// `event:`.
        public var name: String
        /// `data:` (a JSON object here).
        public var data: String
        /// The data as a dictionary.
        public var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }
    }

    private let fd: Int32
    private var buffered = [UInt8]()
    /// The response's status line and headers.
    public private(set) var head = ""
    /// Whether the server ended the stream.
    public private(set) var ended = false

    /// Connects and asks for the stream (after `lastEventID` when given).
    public init(port: Int, lastEventID: UInt64? = nil) throws {
        fd = try TestSocket.connect(host: "127.0.0.1", port: port)
        var request = "GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        guard TestSocket.sendAll(fd, request + "\r\n") else { throw TestSocket.Failure("cannot send the request") }
        guard let head = readBlock(timeoutMilliseconds: 10_000, separator: Array("\r\n\r\n".utf8)) else {
            throw TestSocket.Failure("no response head")
        }
        self.head = String(decoding: head, as: UTF8.self)
    }

    deinit { TestSocket.close(fd) }

    /// The next event (comments and `retry:` skipped), or nil when none came within `seconds` or the
    /// stream ended.
    public func next(seconds: Double = 10) -> Event? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard let block = readBlock(timeoutMilliseconds: left, separator: Array("\n\n".utf8)) else { return nil }
            var event = Event(id: nil, name: "message", data: "")
            var fields = false
            for line in String(decoding: block, as: UTF8.self).split(separator: "\n") {
                if line.hasPrefix("id: ") { event.id = UInt64(line.dropFirst(4)); fields = true }
                if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)); fields = true }
                if line.hasPrefix("data: ") { event.data += line.dropFirst(6); fields = true }
            }
            if fields && event.id != nil { return event }
        }
        return nil
    }

    /// Closes the connection from this side.
    public func close() { TestSocket.shutdown(fd) }

    /// Bytes up to `separator` (which is consumed), reading as needed.
    private func readBlock(timeoutMilliseconds: Int32, separator: [UInt8]) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while true {
            if let range = find(separator) {
                let block = Array(buffered[..<range])
                buffered.removeFirst(range + separator.count)
                return block
            }
            guard !ended, Date() < deadline else { return nil }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            let count = chunk.withUnsafeMutableBytes { TestSocket.receive(fd, into: $0, timeoutMilliseconds: left) }
            if count < 0 { ended = true } else if count > 0 { buffered += chunk[..<count] }
        }
    }

    private func find(_ separator: [UInt8]) -> Int? {
        guard buffered.count >= separator.count else { return nil }
        for start in 0...(buffered.count - separator.count) where buffered[start..<start + separator.count].elementsEqual(separator) {
            return start
        }
        return nil
    }
}
