import CMicroHTTPD

/// The headers the API reads.
private let collectedHeaders = ["Authorization", "Content-Type", "Host", "Last-Event-ID", "Origin", "Access-Control-Request-Method",
                                "Access-Control-Request-Headers"]

/// libmicrohttpd's access handler. Called several times per request: first to create the request state,
/// then once per chunk of body, then with no data to answer.
func httpAccessHandler(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let requestState else { return .NO }
    let context = Unmanaged<HTTPServerContext>.fromOpaque(cls).takeUnretainedValue()
    guard let stored = requestState.pointee else {
        var headers = [String: String]()
        for name in collectedHeaders {
            if let value = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, name) {
                headers[name.lowercased()] = String(cString: value)
            }
        }
        let path = url.map { String(cString: $0) } ?? "/"
        var address = [CChar](repeating: 0, count: 64)
        nm_client_address(connection, &address, address.count)
        var request = HTTPRequest(method: method.map { String(cString: $0) } ?? "GET",
                                  path: String(path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/"),
                                  headers: headers)
        request.clientAddress = String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        requestState.pointee = Unmanaged.passRetained(HTTPRequestState(request: request)).toOpaque()
        return .YES
    }
    let state = Unmanaged<HTTPRequestState>.fromOpaque(stored).takeUnretainedValue()
    if let uploadDataSize, uploadDataSize.pointee > 0 {
        let count = uploadDataSize.pointee
        if !state.request.bodyTooLarge, let uploadData {
            if state.request.body.count + count > context.maximumBodyBytes {
                state.request.bodyTooLarge = true
                state.request.body = []
            } else {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
                    state.request.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
                }
            }
        }
        uploadDataSize.pointee = 0
        return .YES
    }
    let response = context.handler(state.request)
    if let events = response.events { return stream(events.journal, after: events.after, response, on: connection, context) }
    return send(response, on: connection)
}

/// Releases the request state.
func httpCompletedHandler(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode
) {
    guard let requestState, let stored = requestState.pointee else { return }
    Unmanaged<HTTPRequestState>.fromOpaque(stored).release()
    requestState.pointee = nil
}

/// Answers with an event stream: a callback response whose reader is an ``EventStream``.
private func stream(_ journal: EventJournal, after: UInt64?, _ response: HTTPResponse, on connection: OpaquePointer,
                    _ context: HTTPServerContext) -> MHD_Result {
    let events = EventStream(journal: journal, after: after)
    guard context.streams.add(events) else {
        return send(Problem(status: 503, title: "Service Unavailable", detail: "the server is stopping").response(), on: connection)
    }
    events.attach(to: connection)
    let reader = Unmanaged.passRetained(StreamReader(stream: events, streams: context.streams)).toOpaque()
    guard let created = MHD_create_response_from_callback(UInt64.max, 4096, eventStreamReader, reader, eventStreamFinished) else {
        Unmanaged<StreamReader>.fromOpaque(reader).release()
        context.streams.remove(events)
        return .NO
    }
    for (name, value) in response.headers { MHD_add_response_header(created, name, value) }
    MHD_add_response_header(created, "Cache-Control", "no-store")
    let result = MHD_queue_response(connection, UInt32(response.status), created)
    MHD_destroy_response(created)
    return result
}

/// What libmicrohttpd's stream callbacks reach through their context pointer.
final class StreamReader: Sendable {
    let stream: EventStream
    let streams: EventStreams

    init(stream: EventStream, streams: EventStreams) {
        self.stream = stream
        self.streams = streams
    }
}

/// libmicrohttpd asks for the next bytes of an event stream.
func eventStreamReader(_ cls: UnsafeMutableRawPointer?, _ position: UInt64, _ buffer: UnsafeMutablePointer<CChar>?, _ max: Int) -> Int {
    guard let cls, let buffer else { return -2 }
    let reader = Unmanaged<StreamReader>.fromOpaque(cls).takeUnretainedValue()
    return reader.stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

/// The event stream's response is gone with its connection.
func eventStreamFinished(_ cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    let reader = Unmanaged<StreamReader>.fromOpaque(cls).takeRetainedValue()
    reader.streams.remove(reader.stream)
}

private func send(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    var body = response.body
    let created = body.withUnsafeMutableBytes { buffer in
        MHD_create_response_from_buffer(buffer.count, buffer.baseAddress, .RESPMEM_MUST_COPY)
    }
    guard let created else { return .NO }
    for (name, value) in response.headers { MHD_add_response_header(created, name, value) }
    MHD_add_response_header(created, "Cache-Control", "no-store")
    let result = MHD_queue_response(connection, UInt32(response.status), created)
    MHD_destroy_response(created)
    return result
}
