/// One HTTP request as the control API sees it (the body is complete).
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query string, e.g. `/pools/1`.
    public var path: String
    /// Header values by lower-case name (only the ones the API reads are collected).
    public var headers: [String: String]
    /// The request body.
    public var body: [UInt8]
    /// Whether the body exceeded the server's cap (the bytes beyond it were discarded).
    public var bodyTooLarge: Bool
    /// The client's IP address as text ("" when unknown).
    public var clientAddress = ""

    /// Whether the method may change state (anything but GET, HEAD and a CORS preflight's OPTIONS).
    public var changesState: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }

    /// Creates a request.
    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bodyTooLarge: Bool = false) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Extra headers (Content-Type included).
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]
    /// A Server-Sent Events stream to send instead of `body`: the journal's events after `after` (the
    /// client's `Last-Event-ID`; nil for new events only), as they come, until the client or the server goes.
    public var events: (journal: EventJournal, after: UInt64?)?

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/event-stream` response of `journal`'s events after `after`.
    public static func events(_ journal: EventJournal, after: UInt64?) -> HTTPResponse {
        var response = HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("X-Accel-Buffering", "no")])
        response.events = (journal, after)
        return response
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }
}
