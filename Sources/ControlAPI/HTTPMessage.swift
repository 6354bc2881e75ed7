/// One HTTP request as the control API sees it (the body is complete).
package struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    package var method: String
    /// The path without the query string, e.g. `/pools/1`.
    package var path: String
    /// Header values by lower-case name (only the ones the API reads are collected).
    package var headers: [String: String]
    /// The request body.
    package var body: [UInt8]
    /// Whether the body exceeded the server's cap (the bytes beyond it were discarded).
    package var bodyTooLarge: Bool
    /// The client's IP address as text ("" when unknown).
    package var clientAddress = ""

    /// Whether the method may change state (anything but GET, HEAD and a CORS preflight's OPTIONS).
    package var changesState: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }

    /// Whether the request reads a resource (GET, or HEAD for its headers only).
    package var isRead: Bool { method == "GET" || method == "HEAD" }

    /// Creates a request.
    package init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bodyTooLarge: Bool = false) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }
}

/// One HTTP response.
package struct HTTPResponse: Sendable {
    /// Status code.
    package var status: Int
    /// Extra headers (Content-Type included).
    package var headers: [(String, String)]
    /// The body.
    package var body: [UInt8]
    /// A Server-Sent Events stream to send instead of `body`: the journal's events after `after` (the
    /// client's `Last-Event-ID`; nil for new events only), as they come, until the client or the server goes.
    package var events: (journal: EventJournal, after: UInt64?)?

    /// Creates a response.
    package init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/event-stream` response of `journal`'s events after `after`.
    package static func events(_ journal: EventJournal, after: UInt64?) -> HTTPResponse {
        var response = HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("X-Accel-Buffering", "no")])
        response.events = (journal, after)
        return response
    }

    /// A JSON response from already-encoded bytes.
    package static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }
}
