import CMicroHTTPD

/// The headers the API reads.
private let collectedHeaders = ["Authorization", "Content-Type", "Host"]

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
