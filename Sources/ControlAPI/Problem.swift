import Foundation

/// An RFC 9457 problem document (`application/problem+json`): every error the API returns.
package struct Problem: Error, Sendable, Encodable {
    /// HTTP status.
    package var status: Int
    /// A short, stable summary of the kind of problem.
    package var title: String
    /// What went wrong this time, in words a user can act on.
    package var detail: String
    /// A URI naming the problem kind.
    package var type: String
    /// For 405: the methods allowed (sent as the `Allow` header, not in the body).
    package var allow: String?

    enum CodingKeys: String, CodingKey { case status, title, detail, type }

    /// Creates a problem; `type` defaults to `about:blank` as RFC 9457 suggests for plain HTTP errors.
    package init(status: Int, title: String, detail: String, type: String = "about:blank") {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
    }

    /// 400: the body is not JSON, or not the expected shape.
    package static func badRequest(_ detail: String) -> Problem { Problem(status: 400, title: "Bad Request", detail: detail) }
    /// 401: no token, or the wrong one.
    package static func unauthorized(_ detail: String) -> Problem { Problem(status: 401, title: "Unauthorized", detail: detail) }
    /// 403: the API is read-only, or the request's Host is not allowed.
    package static func forbidden(_ detail: String) -> Problem { Problem(status: 403, title: "Forbidden", detail: detail) }
    /// 404: no such resource.
    package static func notFound(_ detail: String) -> Problem { Problem(status: 404, title: "Not Found", detail: detail) }
    /// 409: the request conflicts with the current state.
    package static func conflict(_ detail: String) -> Problem { Problem(status: 409, title: "Conflict", detail: detail) }
    /// 413: the body is over the cap.
    package static func tooLarge(_ detail: String) -> Problem { Problem(status: 413, title: "Content Too Large", detail: detail) }
    /// 415: the body is not JSON.
    package static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(status: 415, title: "Unsupported Media Type", detail: detail)
    }
    /// 429: too many bad tokens from one address.
    package static func tooManyRequests(_ detail: String) -> Problem { Problem(status: 429, title: "Too Many Requests", detail: detail) }
    /// 422: well-formed but invalid values.
    package static func unprocessable(_ detail: String) -> Problem { Problem(status: 422, title: "Unprocessable Content", detail: detail) }
    /// 500: the server failed (for example it could not save the configuration).
    package static func internalError(_ detail: String) -> Problem { Problem(status: 500, title: "Internal Server Error", detail: detail) }

    /// The response carrying this problem.
    package func response(extraHeaders: [(String, String)] = []) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)).map { Array($0) } ?? Array(#"{"status":500}"#.utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/problem+json")] + extraHeaders, body: body)
    }
}
