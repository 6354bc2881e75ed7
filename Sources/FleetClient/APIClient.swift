import Foundation
import Guarded
import NightMiner
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small client of nightminer's control API (one request per connection, on SwiftNIO's event loops), with
/// a time limit on the whole exchange. What `nightminer fleet` speaks to every miner with.
package struct APIClient: Sendable {
    /// An answer.
    package struct Response: Sendable {
        /// The HTTP status.
        package var status: Int
        /// The body.
        package var body: [UInt8]

        /// The body as JSON, if it is.
        package var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
        /// The `detail` of a problem document, or the status line.
        package var problem: String {
            ((json as? [String: Any])?["detail"] as? String) ?? "HTTP \(status)"
        }
    }

    /// Why a request got no answer.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong, in words.
        package let description: String
    }

    /// The miner's address.
    package var host: String
    /// The API port.
    package var port: Int
    /// The bearer token for state changes.
    package var token: String?
    /// The longest a request may take, connection included.
    package var timeout: Duration
    private let group: any EventLoopGroup

    /// A client for the API at `host`:`port`.
    package init(host: String, port: Int, token: String?, timeout: Duration = .seconds(5),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.token = token
        self.timeout = timeout
        self.group = group
    }

    /// Sends one request and waits (without blocking a thread) for the whole answer.
    package func send(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws(Failure) -> Response {
        let host = host
        let started = ContinuousClock.now
        let milliseconds = timeout.inMilliseconds
        let collector: ResponseCollector
        let channel: any Channel
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(milliseconds))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(limit: 4 * 1024 * 1024, on: channel.eventLoop))
                    }
                }
            channel = try await bootstrap.connect(host: host, port: port).get()
            collector = try await channel.pipeline.handler(type: ResponseCollector.self).get()
        } catch {
            throw Failure(description: Self.describe(error))
        }
        // One time limit for the whole exchange: what the connection took is spent.
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout - started.duration(to: .now))) {
            collector.fail(Failure(description: "no answer within \(milliseconds / 1000) s"), channel: channel)
        }
        defer { deadline.cancel() }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "User-Agent", value: NightMinerVersion.userAgent)
        if let token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let body = json.map { ByteBuffer(string: $0) }
        if let body {
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            return try await collector.response.get()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first { return describe(first.error) }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if case ChannelError.connectTimeout = error { return "connection timed out" }
        return "\(error)"
    }
}

/// Gathers one HTTP response (up to a size limit) and completes a promise with it.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let limit: Int
    private let promise: EventLoopPromise<APIClient.Response>
    private let state = Locked<(status: Int, body: [UInt8], done: Bool)>((0, [], false))

    init(limit: Int, on loop: any EventLoop) {
        self.limit = limit
        promise = loop.makePromise()
    }

    var response: EventLoopFuture<APIClient.Response> { promise.futureResult }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            state.withLock { $0.status = Int(head.status.code) }
        case .body(let buffer):
            let tooLarge = state.withLock { state -> Bool in
                state.body += buffer.readableBytesView
                return state.body.count > limit
            }
            if tooLarge { fail(APIClient.Failure(description: "the answer is larger than \(limit) bytes"), channel: context.channel) }
        case .end:
            let answer = state.withLock { state -> APIClient.Response? in
                guard !state.done else { return nil }
                state.done = true
                return APIClient.Response(status: state.status, body: state.body)
            }
            if let answer { promise.succeed(answer) }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(APIClient.Failure(description: "the connection closed before the answer was complete"), channel: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, channel: context.channel)
    }

    /// Ends the exchange with `error` (once) and closes the connection.
    func fail(_ error: any Error, channel: (any Channel)?) {
        let first = state.withLock { state -> Bool in
            defer { state.done = true }
            return !state.done
        }
        if first { promise.fail(error) }
        channel?.close(promise: nil)
    }
}
