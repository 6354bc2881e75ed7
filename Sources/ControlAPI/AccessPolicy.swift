/// Who may change state through the API.
package struct AccessPolicy: Sendable {
    /// The bearer token every state change must carry; nil only for an explicitly insecure loopback API.
    package var token: String?
    /// Refuse every state change (403), token or not.
    package var readOnly: Bool
    /// The `Host` names requests may carry (without the port), or nil for any. An API bound to loopback
    /// answers only loopback names and addresses and the ones given with `--api-allow-host`: a web page
    /// elsewhere cannot reach it through a DNS name that it points at 127.0.0.1 (DNS rebinding).
    package var allowedHosts: Set<String>?
    /// Web origins (`https://dash.example.com`) whose pages may use the API from a browser (CORS); none by
    /// default, and nothing is sent for any other origin.
    package var corsOrigins: Set<String>

    /// The names a loopback API answers to.
    package static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]", "localhost."]

    /// A policy.
    package init(token: String?, readOnly: Bool = false, allowedHosts: Set<String>? = nil, corsOrigins: Set<String> = []) {
        self.token = token
        self.readOnly = readOnly
        self.allowedHosts = allowedHosts.map { Set($0.map { $0.lowercased() }) }
        self.corsOrigins = Set(corsOrigins.map(Self.normalizedOrigin))
    }

    /// The CORS headers for a request from `origin`, or none when it is not an allowed origin.
    func corsHeaders(for origin: String?) -> [(String, String)] {
        guard let origin, corsOrigins.contains(Self.normalizedOrigin(origin)) else { return [] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"), ("Access-Control-Expose-Headers", "Retry-After")]
    }

    /// An origin as browsers send it: lower-case, without a trailing slash.
    static func normalizedOrigin(_ origin: String) -> String {
        var value = origin.lowercased()
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// Checks the request's `Host`; nil when allowed.
    func checkHost(_ request: HTTPRequest) -> Problem? {
        guard let allowedHosts else { return nil }
        guard let host = request.headers["host"].map(Self.hostName), allowedHosts.contains(host) else {
            let shown = String((request.headers["host"] ?? "none").prefix(100))
            return .forbidden("the Host '\(shown)' is not allowed: this API answers to loopback names only "
                + "(start it with --api-allow-host NAME to add one)")
        }
        return nil
    }

    /// The host of a `Host` header, lower-cased, without its port (`[::1]:8080` gives `[::1]`).
    static func hostName(_ header: String) -> String {
        let value = header.lowercased()
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") { return String(value[...close]) }
        if let colon = value.lastIndex(of: ":"), value.firstIndex(of: ":") == colon { return String(value[..<colon]) }
        return value
    }

    /// Checks a state-changing request; nil when allowed.
    func check(_ request: HTTPRequest) -> Problem? {
        if let token {
            guard let header = request.headers["authorization"] else {
                return .unauthorized("this request changes state and needs 'Authorization: Bearer <token>'")
            }
            let prefix = "Bearer "
            guard header.hasPrefix(prefix), Self.constantTimeEquals(String(header.dropFirst(prefix.count)), token) else {
                return .unauthorized("the bearer token is not valid")
            }
        }
        if readOnly { return .forbidden("the API runs read-only (--api-read-only): no state changes") }
        return nil
    }

    /// Compares without an early exit, so the time taken does not reveal how much of a guess was right.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
