import Foundation
import Guarded
import JSON

/// Routes control API requests to a ``ControlService`` and turns results into JSON responses.
package final class APIRouter: Sendable {
    private let service: any ControlService
    private let policy: AccessPolicy
    private let openAPIDocument: [UInt8]
    private let statsCache = Locked<(at: ContinuousClock.Instant, body: [UInt8])?>(nil)
    /// How long an encoded `/stats` body is reused (monitoring may poll hard; hashing threads never wait).
    private let statsCacheLifetime: Duration = .milliseconds(100)

    /// Every method some route of the API takes.
    private static let methods: Set<String> = ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"]

    private let audit: AuditLog?
    private let limiter = BadTokenLimiter()

    /// A router for `service` under `policy`, serving `openAPIDocument` at `/openapi.yaml`; every request
    /// that asks for a state change is recorded in `audit`.
    package init(service: any ControlService, policy: AccessPolicy, openAPIDocument: String, audit: AuditLog? = nil) {
        self.service = service
        self.policy = policy
        self.openAPIDocument = Array(openAPIDocument.utf8)
        self.audit = audit
    }

    /// Answers one request. A request that may change state is checked before anything else: without a
    /// valid token it gets 401 whatever its path, and an address that sent more than 10 bad tokens in a
    /// minute gets 429 with `Retry-After`.
    package func handle(_ request: HTTPRequest) -> HTTPResponse {
        // A method no route takes is refused (405 with the resource's Allow, or 404) before the token check,
        // and not audited: an invented method would otherwise count as a state change and fill the audit file.
        guard Self.methods.contains(request.method) else { return routed(request) }
        var response = request.method == "OPTIONS" ? preflight(request) : answer(request)
        if request.changesState { audit?.record(request, status: response.status) }
        response.headers += policy.corsHeaders(for: request.headers["origin"])
        return response
    }

    /// A CORS preflight: answered for the origins given with `--api-cors-origin`, refused for any other.
    private func preflight(_ request: HTTPRequest) -> HTTPResponse {
        if let problem = policy.checkHost(request) { return problem.response() }
        guard !policy.corsHeaders(for: request.headers["origin"]).isEmpty, request.headers["access-control-request-method"] != nil else {
            return Problem.forbidden("cross-origin requests are not allowed from this origin (see --api-cors-origin)").response()
        }
        return HTTPResponse(status: 204, headers: [
            ("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE"),
            ("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID"),
            ("Access-Control-Max-Age", "600"),
        ])
    }

    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        if let problem = policy.checkHost(request) { return problem.response() }
        // The token is checked first: a valid one is never throttled (bad tokens from the same address, say
        // a web page's blind requests, cannot lock the operator out); only failures count and are slowed.
        if request.changesState, let problem = policy.check(request) {
            guard problem.status == 401 else { return problem.response() }
            if let wait = limiter.retryAfter(request.clientAddress) {
                let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
                return Problem.tooManyRequests("too many bad tokens from \(request.clientAddress); try again in \(seconds) s")
                    .response(extraHeaders: [("Retry-After", String(seconds))])
            }
            limiter.recordFailure(request.clientAddress)
            return problem.response()
        }
        return routed(request)
    }

    /// The route's answer, or its refusal as a problem document.
    private func routed(_ request: HTTPRequest) -> HTTPResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        do {
            let response = try route(request, segments)
            // A state change makes the cached /stats body stale: the next read shows its effect.
            if request.changesState { statsCache.withLock { $0 = nil } }
            return response
        } catch {
            return error.response(extraHeaders: error.allow.map { [("Allow", $0)] } ?? [])
        }
    }

    private func route(_ request: HTTPRequest, _ segments: [String]) throws(Problem) -> HTTPResponse {
        switch segments {
        case []:
            try allow(request, ["GET"])
            return HTTPResponse(status: 200, headers: DashboardPage.headers, body: Array(DashboardPage.html.utf8))
        case ["stats"]:
            try allow(request, ["GET"])
            return statsResponse()
        case ["events"]:
            try allow(request, ["GET"])
            // HEAD: the stream's headers, without holding a connection open.
            if request.method == "HEAD" { return HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]) }
            let after = try request.headers["last-event-id"].map { text throws(Problem) -> UInt64 in
                guard let id = UInt64(text.trimmingCharacters(in: .whitespaces)) else { throw .badRequest("Last-Event-ID must be an event id") }
                return id
            }
            return .events(service.events, after: after)
        case ["metrics"]:
            try allow(request, ["GET"])
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: service.metrics())
        case ["livez"]:
            try allow(request, ["GET"])
            return try json(200, ["status": "ok"])
        case ["readyz"]:
            try allow(request, ["GET"])
            let readiness = service.readiness()
            return try json(readiness.ready ? 200 : 503, readiness)
        case ["openapi.yaml"]:
            try allow(request, ["GET"])
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/yaml")], body: openAPIDocument)
        case ["mining", "start"]:
            try allow(request, ["POST"])
            return try json(200, try service.startMining())
        case ["mining", "stop"]:
            try allow(request, ["POST"])
            return try json(200, service.stopMining())
        case ["pools"]:
            try allow(request, ["GET", "POST"])
            if request.isRead { return try json(200, service.pools()) }
            let input = try poolInput(try body(request))
            return try json(201, try service.addPool(input))
        case _ where segments.count >= 2 && segments[0] == "pools":
            guard let id = Int(segments[1]), segments.count <= 3 else { throw .notFound("no resource at \(request.path)") }
            if segments.count == 3 {
                guard segments[2] == "activate" else { throw .notFound("no resource at \(request.path)") }
                try allow(request, ["POST"])
                return try json(200, try service.activatePool(id: id))
            }
            try allow(request, ["GET", "PATCH", "DELETE"])
            switch request.method {
            case "GET", "HEAD":
                guard let pool = service.pools().first(where: { $0.id == id }) else { throw .notFound("no pool with id \(id)") }
                return try json(200, pool)
            case "PATCH":
                let input = try poolInput(try body(request))
                return try json(200, try service.updatePool(id: id, input))
            default:
                try service.deletePool(id: id)
                return HTTPResponse(status: 204)
            }
        case ["config"]:
            try allow(request, ["GET", "PATCH"])
            if request.isRead { return try json(200, service.config()) }
            let input = try configInput(try body(request))
            return try json(200, try service.updateConfig(input))
        default:
            throw .notFound("no resource at \(request.path); see /openapi.yaml")
        }
    }

    /// Refuses a method the resource does not take; HEAD goes wherever GET does (libmicrohttpd sends the
    /// headers of the GET answer without its body).
    private func allow(_ request: HTTPRequest, _ methods: [String]) throws(Problem) {
        let methods = methods.contains("GET") ? methods + ["HEAD"] : methods
        guard methods.contains(request.method) else {
            throw MethodNotAllowed(allowed: methods, method: request.method).problem
        }
    }

    private func statsResponse() -> HTTPResponse {
        let now = ContinuousClock.now
        if let cached = statsCache.withLock({ $0 }), cached.at.duration(to: now) < statsCacheLifetime {
            return .json(200, cached.body)
        }
        let body = (try? Self.encode(service.stats())) ?? Array("{}".utf8)
        statsCache.withLock { $0 = (now, body) }
        return .json(200, body)
    }

    private func json(_ status: Int, _ value: some Encodable) throws(Problem) -> HTTPResponse {
        do {
            return .json(status, try Self.encode(value))
        } catch {
            throw .internalError("could not encode the response: \(error)")
        }
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// The request body as a JSON object, with the checks every write shares (413, 415, 400).
    private func body(_ request: HTTPRequest) throws(Problem) -> [String: JSONValue] {
        if request.bodyTooLarge { throw .tooLarge("the request body is larger than the server accepts") }
        let type = request.headers["content-type"]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == "application/json" else {
            throw .unsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(String(decoding: request.body, as: UTF8.self))
        } catch {
            throw .badRequest("the body is not valid JSON: \(error)")
        }
        guard let object = parsed.objectValue else { throw .badRequest("the body must be a JSON object") }
        return object
    }

    private func poolInput(_ object: [String: JSONValue]) throws(Problem) -> PoolInput {
        let fields = FieldReader(object: object, known: ["url", "user", "password", "algorithm", "priority", "tls_ca", "tls_fingerprint",
                                                         "tls_insecure", "extranonce_subscribe", "suggest_difficulty"])
        try fields.checkUnknown()
        return PoolInput(url: try fields.string("url"), user: try fields.string("user"), password: try fields.string("password"),
                         algorithm: try fields.string("algorithm"), priority: try fields.integer("priority"),
                         tlsCA: try fields.string("tls_ca"), tlsFingerprint: try fields.string("tls_fingerprint"),
                         tlsInsecure: try fields.bool("tls_insecure"), extranonceSubscribe: try fields.bool("extranonce_subscribe"),
                         suggestDifficulty: try fields.number("suggest_difficulty"))
    }

    private func configInput(_ object: [String: JSONValue]) throws(Problem) -> ConfigInput {
        let fields = FieldReader(object: object, known: ["threads", "algorithm", "log_level", "autostart"])
        try fields.checkUnknown()
        return ConfigInput(threads: try fields.integer("threads"), algorithm: try fields.string("algorithm"),
                           logLevel: try fields.string("log_level"), autostart: try fields.bool("autostart"))
    }
}

/// A 405 with the `Allow` header.
struct MethodNotAllowed {
    let allowed: [String]
    let method: String

    var problem: Problem {
        var problem = Problem(status: 405, title: "Method Not Allowed", detail: "\(method) is not allowed here; use \(allowed.joined(separator: " or "))")
        problem.allow = allowed.joined(separator: ", ")
        return problem
    }
}

/// Reads typed fields from a decoded JSON object, with 422s that name the field.
struct FieldReader {
    let object: [String: JSONValue]
    let known: Set<String>

    func checkUnknown() throws(Problem) {
        let unknown = object.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw .unprocessable("unknown field\(unknown.count == 1 ? "" : "s"): \(unknown.joined(separator: ", "))") }
    }

    func string(_ key: String) throws(Problem) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .unprocessable("'\(key)' must be a string") }
        return text
    }

    func integer(_ key: String) throws(Problem) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let integer = value.integerValue, let small = Int(exactly: integer) else {
            throw .unprocessable("'\(key)' must be an integer")
        }
        return small
    }

    func number(_ key: String) throws(Problem) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.numberValue, number.isFinite else { throw .unprocessable("'\(key)' must be a number") }
        return number
    }

    func bool(_ key: String) throws(Problem) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw .unprocessable("'\(key)' must be true or false") }
        return flag
    }
}
