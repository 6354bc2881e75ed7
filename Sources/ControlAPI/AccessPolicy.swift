/// Who may change state through the API.
public struct AccessPolicy: Sendable {
    /// The bearer token every state change must carry; nil only for an explicitly insecure loopback API.
    public var token: String?
    /// Refuse every state change (403), token or not.
    public var readOnly: Bool

    /// A policy.
    public init(token: String?, readOnly: Bool = false) {
        self.token = token
        self.readOnly = readOnly
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
