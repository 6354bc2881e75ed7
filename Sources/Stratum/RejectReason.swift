/// Why a pool rejected a share, classified from any of the encodings pools use.
public enum RejectReason: Sendable, Hashable, CustomStringConvertible {
    /// The job is unknown or outdated (code 21, "Stale", "Invalid JobID", "Job not found").
    case stale
    /// The share was already submitted (code 22).
    case duplicate
    /// The hash does not meet the pool's target (code 23, "Above target", "Low difficulty").
    case lowDifficulty
    /// The worker is not authorized (code 24).
    case unauthorized
    /// The connection is not subscribed (code 25).
    case notSubscribed
    /// Anything else (code 20 and unknown codes), with the pool's words.
    case other(String)

    /// The stable name used in statistics: `stale`, `duplicate`, `low-difficulty`, `unauthorized`,
    /// `not-subscribed`, `other`.
    public var key: String {
        switch self {
        case .stale: "stale"
        case .duplicate: "duplicate"
        case .lowDifficulty: "low-difficulty"
        case .unauthorized: "unauthorized"
        case .notSubscribed: "not-subscribed"
        case .other: "other"
        }
    }

    /// The key, plus the pool's words for `other`.
    public var description: String {
        if case .other(let text) = self { return "other (\(text))" }
        return key
    }

    /// Classifies a numeric code and/or message.
    public init(code: Int?, message: String) {
        switch code {
        case 21?: self = .stale
        case 22?: self = .duplicate
        case 23?: self = .lowDifficulty
        case 24?: self = .unauthorized
        case 25?: self = .notSubscribed
        default: self = RejectReason(message: message)
        }
    }

    /// Classifies a message by its words (ckpool's `reject-reason`, string errors, stratum-mining's -2).
    public init(message: String) {
        let text = message.lowercased()
        if text.contains("stale") || text.contains("job not found") || text.contains("invalid jobid")
            || text.contains("unknown job") || (text.contains("job") && text.contains("not found")) {
            self = .stale
        } else if text.contains("duplicate") {
            self = .duplicate
        } else if text.contains("low difficulty") || text.contains("above target") || text.contains("high-hash")
            || text.contains("low diff") {
            self = .lowDifficulty
        } else if text.contains("unauthori") {
            self = .unauthorized
        } else if text.contains("not subscribed") {
            self = .notSubscribed
        } else {
            self = .other(PoolText.bounded(message))
        }
    }
}

/// A pool's verdict on one submitted share.
public enum SubmitOutcome: Sendable, Hashable {
    /// Accepted.
    case accepted
    /// Rejected, with the reason.
    case rejected(RejectReason)

    /// Reads a `mining.submit` response in any encoding seen in the wild:
    /// `error: [code, "message", traceback]`, `error: {code, message}`, `error: "string"`,
    /// `result: false` with `reject-reason`, or plain `result: true`.
    public init(result: JSONValue, error: JSONValue, extra: [String: JSONValue] = [:]) {
        switch error {
        case .null:
            break
        case .array(let items):
            let code = items.first?.integerValue.map(Int.init)
            let message = items.count > 1 ? (items[1].stringValue ?? items[1].serialized) : ""
            self = .rejected(RejectReason(code: code, message: message))
            return
        case .object(let members):
            let code = members["code"]?.integerValue.map(Int.init)
            let message = members["message"]?.stringValue ?? members["msg"]?.stringValue ?? ""
            self = .rejected(RejectReason(code: code, message: message))
            return
        case .string(let message):
            self = .rejected(RejectReason(message: message))
            return
        default:
            self = .rejected(.other(PoolText.bounded(error.serialized)))
            return
        }
        if result.boolValue == true {
            self = .accepted
            return
        }
        let reason = extra["reject-reason"]?.stringValue ?? extra["reject_reason"]?.stringValue
        self = .rejected(reason.map { RejectReason(message: $0) } ?? .other(PoolText.bounded("result: \(result.serialized)")))
    }
}
