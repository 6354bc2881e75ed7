/// One line from a stratum peer, classified: a request or notification (has a `method`) or a response
/// (has an `id` and a `result` or `error`).
public enum StratumMessage: Sendable, Equatable {
    /// A method call; `id` is `.null` for notifications.
    case request(id: JSONValue, method: String, params: [JSONValue])
    /// A reply to one of our requests.
    case response(id: JSONValue, result: JSONValue, error: JSONValue, extra: [String: JSONValue])

    /// Parses one line. Every shape error is a ``StratumError/invalidMessage(_:)`` naming what was wrong.
    public static func parse(_ line: String) throws(StratumError) -> StratumMessage {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { throw .invalidMessage(error.description) }
        guard let object = value.objectValue else { throw .invalidMessage("a stratum message must be a JSON object") }
        let id = object["id"] ?? .null
        if let methodValue = object["method"], !methodValue.isNull {
            guard let method = methodValue.stringValue else { throw .invalidMessage("'method' is not a string") }
            let params: [JSONValue]
            switch object["params"] {
            case nil, .null?: params = []
            case .array(let items)?: params = items
            default: throw .invalidMessage("'params' of \(method) is not an array")
            }
            return .request(id: id, method: method, params: params)
        }
        guard object["result"] != nil || object["error"] != nil else {
            throw .invalidMessage("neither 'method' nor 'result'/'error'")
        }
        var extra = object
        extra["id"] = nil
        extra["result"] = nil
        extra["error"] = nil
        return .response(id: id, result: object["result"] ?? .null, error: object["error"] ?? .null, extra: extra)
    }

    /// Serializes a request line (without the newline).
    public static func requestLine(id: JSONValue, method: String, params: [JSONValue]) -> String {
        JSONValue.object(["id": id, "method": .string(method), "params": .array(params)]).serialized
    }

    /// Serializes a response line (without the newline).
    public static func responseLine(id: JSONValue, result: JSONValue, error: JSONValue = .null) -> String {
        JSONValue.object(["id": id, "result": result, "error": error]).serialized
    }
}

/// Everything that can go wrong speaking stratum, each with a sentence a user can act on.
public enum StratumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A line that is not a valid stratum message, or a message with wrong field types.
    case invalidMessage(String)
    /// A line longer than the cap (the connection is ended).
    case lineTooLong(limit: Int)
    /// The pool refused `mining.subscribe`.
    case subscribeRefused(String)
    /// The pool refused `mining.authorize` (wrong worker name or password).
    case authorizationRefused(String)
    /// The connection could not be made or was lost.
    case connection(String)
    /// A URL that is not `stratum+tcp://host:port`.
    case invalidURL(String)

    /// A sentence for logs.
    public var description: String {
        switch self {
        case .invalidMessage(let why): "invalid stratum message: \(why)"
        case .lineTooLong(let limit): "the peer sent a line longer than \(limit) bytes"
        case .subscribeRefused(let why): "pool refused mining.subscribe: \(why)"
        case .authorizationRefused(let why): "pool refused mining.authorize: \(why)"
        case .connection(let why): "connection: \(why)"
        case .invalidURL(let why): "invalid pool URL: \(why)"
        }
    }
}
