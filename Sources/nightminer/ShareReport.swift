import ProofOfWork
import Stratum

/// Everything about one share, recomputed from a `mining.notify` and the submit fields: what pool
/// developers compare against when a share is disputed. Built by ``ShareReport/init(algorithm:notify:extranonce1:extranonce2:ntime:nonce:difficulty:)``.
struct ShareReport: Sendable {
    /// The coinbase transaction (hex).
    var coinbase: String
    /// sha256d of the coinbase in block-explorer order (its txid).
    var coinbaseHash: String
    /// The merkle root as it sits in the header.
    var merkleRoot: String
    /// The 80-byte header (hex).
    var header: String
    /// The proof-of-work hash in block-explorer order.
    var hash: String
    /// The share difficulty the hash achieves.
    var shareDifficulty: Double
    /// The target for the requested difficulty (explorer order).
    var target: String
    /// The requested difficulty.
    var difficulty: Double
    /// Whether the hash meets the target.
    var meetsTarget: Bool

    /// Recomputes a share.
    ///
    /// - Parameters:
    ///   - notify: the `mining.notify` params as a JSON array, or a whole notify message object.
    ///   - ntime, nonce: as submitted (big-endian hex of the numbers).
    init(algorithm: any ProofOfWork, notify: String, extranonce1: String, extranonce2: String, ntime: String,
                nonce: String, difficulty: Double = 1) throws(StratumError) {
        let value: JSONValue
        do { value = try JSONValue.parse(notify) } catch { throw .invalidMessage("--notify: \(error)") }
        guard let params = value.arrayValue ?? value["params"]?.arrayValue else {
            throw .invalidMessage("--notify must be the params array of mining.notify (or the whole message)")
        }
        var notification = try JobNotification(params: params)
        guard let extranonce1Bytes = Hex.decode(extranonce1) else { throw .invalidMessage("--extranonce1 is not hex") }
        guard let extranonce2Bytes = Hex.decode(extranonce2), (1...16).contains(extranonce2Bytes.count) else {
            throw .invalidMessage("--extranonce2 must be 1 to 16 bytes of hex")
        }
        guard let ntimeValue = Hex.uint32(ntime) else { throw .invalidMessage("--ntime must be 8 hex digits") }
        guard let nonceValue = Hex.uint32(nonce) else { throw .invalidMessage("--nonce must be 8 hex digits") }
        notification.ntime = ntimeValue
        let job = try Job(notification: notification, extranonce1: extranonce1Bytes, extranonce2Size: extranonce2Bytes.count,
                          difficulty: difficulty, algorithm: algorithm)
        let coinbaseBytes = job.coinbase(extranonce2: extranonce2Bytes)
        let headerBytes = job.header(extranonce2: extranonce2Bytes, nonce: nonceValue)
        let hashBytes = algorithm.hash(header: headerBytes)
        coinbase = Hex.encode(coinbaseBytes)
        coinbaseHash = Hex.encode(SHA256.doubleHash(coinbaseBytes).reversed())
        merkleRoot = Hex.encode(job.merkleRoot(extranonce2: extranonce2Bytes))
        header = Hex.encode(headerBytes)
        hash = Hex.encode(hashBytes.reversed())
        shareDifficulty = Target.difficulty(ofHash: hashBytes, scale: algorithm.difficultyScale)
        target = job.target.hex
        self.difficulty = difficulty
        meetsTarget = job.target.isMet(byHash: hashBytes)
    }

    /// The report as a JSON object (stable keys).
    var json: JSONValue {
        .object([
            "coinbase": .string(coinbase), "coinbase_hash": .string(coinbaseHash), "merkle_root": .string(merkleRoot),
            "header": .string(header), "hash": .string(hash), "share_difficulty": .number(shareDifficulty),
            "target": .string(target), "difficulty": .number(difficulty), "meets_target": .bool(meetsTarget),
        ])
    }

    /// The report as aligned text lines.
    var text: String {
        """
        coinbase:          \(coinbase)
        coinbase hash:     \(coinbaseHash)
        merkle root:       \(merkleRoot)
        header:            \(header)
        hash:              \(hash)
        share difficulty:  \(shareDifficulty)
        target:            \(target) (difficulty \(difficulty))
        meets target:      \(meetsTarget ? "yes" : "no")
        """
    }
}
