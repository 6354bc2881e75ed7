import ProofOfWork

/// The parameters of one `mining.notify`, validated and decoded.
///
/// Byte orders, as pools send them:
/// - `prevhash` is 32 bytes written as eight 4-byte words, each word byte-swapped relative to the header
///   (a quirk of the first pool software). ``headerPrevhash`` undoes it.
/// - `version`, `nbits`, `ntime` are big-endian hex numbers; the header stores them little-endian.
/// - `coinb1`, `coinb2` and the merkle branches are raw bytes in the order they are hashed.
public struct JobNotification: Sendable, Equatable {
    /// The pool's job identifier, echoed back in `mining.submit`.
    public var jobID: String
    /// Previous block hash exactly as sent (stratum word order).
    public var prevhash: [UInt8]
    /// Coinbase transaction before extranonce1.
    public var coinbase1: [UInt8]
    /// Coinbase transaction after extranonce2.
    public var coinbase2: [UInt8]
    /// Merkle branch hashes, each 32 bytes, leaf side first.
    public var merkleBranch: [[UInt8]]
    /// Block version (a number).
    public var version: UInt32
    /// Compact network target (a number).
    public var nbits: UInt32
    /// Block time (a number, seconds since 1970).
    public var ntime: UInt32
    /// Whether the pool asked miners to drop every older job.
    public var cleanJobs: Bool

    /// Creates a notification from decoded fields.
    public init(jobID: String, prevhash: [UInt8], coinbase1: [UInt8], coinbase2: [UInt8], merkleBranch: [[UInt8]],
                version: UInt32, nbits: UInt32, ntime: UInt32, cleanJobs: Bool) {
        self.jobID = jobID
        self.prevhash = prevhash
        self.coinbase1 = coinbase1
        self.coinbase2 = coinbase2
        self.merkleBranch = merkleBranch
        self.version = version
        self.nbits = nbits
        self.ntime = ntime
        self.cleanJobs = cleanJobs
    }

    /// Validates `mining.notify` params: 9 values, every field of the right type and hex length.
    public init(params: [JSONValue]) throws(StratumError) {
        guard params.count >= 9 else { throw .invalidMessage("mining.notify has \(params.count) params, expected 9") }
        guard let jobID = params[0].stringValue, !jobID.isEmpty, jobID.utf8.count <= 128 else {
            throw .invalidMessage("mining.notify job_id must be a non-empty string")
        }
        func hex(_ index: Int, _ name: String, bytes: Int? = nil) throws(StratumError) -> [UInt8] {
            guard let text = params[index].stringValue, let value = Hex.decode(text) else {
                throw .invalidMessage("mining.notify \(name) is not a hex string")
            }
            if let bytes, value.count != bytes {
                throw .invalidMessage("mining.notify \(name) has \(text.utf8.count) hex digits, expected \(bytes * 2)")
            }
            return value
        }
        func number(_ index: Int, _ name: String) throws(StratumError) -> UInt32 {
            guard let text = params[index].stringValue, let value = Hex.uint32(text) else {
                throw .invalidMessage("mining.notify \(name) must be 8 hex digits")
            }
            return value
        }
        let prevhash = try hex(1, "prevhash", bytes: 32)
        let coinbase1 = try hex(2, "coinb1")
        let coinbase2 = try hex(3, "coinb2")
        guard let branchValues = params[4].arrayValue else { throw .invalidMessage("mining.notify merkle_branch is not an array") }
        var branch = [[UInt8]]()
        for value in branchValues {
            guard let text = value.stringValue, let node = Hex.decode(text), node.count == 32 else {
                throw .invalidMessage("mining.notify merkle_branch entries must be 64 hex digits")
            }
            branch.append(node)
        }
        let version = try number(5, "version")
        let nbits = try number(6, "nbits")
        let ntime = try number(7, "ntime")
        guard let clean = params[8].boolValue else { throw .invalidMessage("mining.notify clean_jobs is not a boolean") }
        self.init(jobID: jobID, prevhash: prevhash, coinbase1: coinbase1, coinbase2: coinbase2, merkleBranch: branch,
                  version: version, nbits: nbits, ntime: ntime, cleanJobs: clean)
    }

    /// The previous block hash in header byte order: each 4-byte word of ``prevhash`` reversed.
    public var headerPrevhash: [UInt8] {
        var out = prevhash
        for word in 0..<8 { out[(4 * word)..<(4 * word + 4)].reverse() }
        return out
    }

    /// The params array again (for the test pool and the protocol log).
    public var params: [JSONValue] {
        [.string(jobID), .string(Hex.encode(prevhash)), .string(Hex.encode(coinbase1)), .string(Hex.encode(coinbase2)),
         .array(merkleBranch.map { .string(Hex.encode($0)) }), .string(Hex.string(version)), .string(Hex.string(nbits)),
         .string(Hex.string(ntime)), .bool(cleanJobs)]
    }
}
