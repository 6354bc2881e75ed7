import ProofOfWork
import Stratum

/// Makes synthetic but well-formed jobs: a real-looking coinbase transaction split around the
/// extranonces, a random previous block hash, a two-level merkle branch.
struct JobFactory: Sendable {
    private var counter: UInt64 = 0
    private var prevhash: [UInt8] = JobFactory.randomBytes(32)

    static func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }

    /// The next job; `clean` changes the previous block hash (as a clean job does on a real pool).
    mutating func next(clean: Bool, ntime: UInt32, extranonceBytes: Int) -> JobNotification {
        counter += 1
        if clean { prevhash = Self.randomBytes(32) }
        // Coinbase: version 1, one input spending nothing, a script holding the height and our tag,
        // split where the extranonce bytes go; then one output and the lock time.
        let tag = Array("/nightminer-testpool/".utf8)
        let height: [UInt8] = [0x03, UInt8(counter & 0xFF), UInt8(counter >> 8 & 0xFF), 0x0C]
        let scriptLength = UInt8(height.count + tag.count + extranonceBytes)
        let coinbase1: [UInt8] = [0x01, 0, 0, 0, 0x01] + [UInt8](repeating: 0, count: 32) + [0xFF, 0xFF, 0xFF, 0xFF]
            + [scriptLength] + height + tag
        let outputScript: [UInt8] = [0x76, 0xA9, 0x14] + Self.randomBytes(20) + [0x88, 0xAC]
        let coinbase2: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x01] + [0x00, 0xF2, 0x05, 0x2A, 0x01, 0, 0, 0]
            + [UInt8(outputScript.count)] + outputScript + [0, 0, 0, 0]
        return JobNotification(jobID: String(counter, radix: 16), prevhash: prevhash, coinbase1: coinbase1,
                               coinbase2: coinbase2, merkleBranch: [Self.randomBytes(32), Self.randomBytes(32)],
                               version: 0x2000_0000, nbits: 0x1D00_FFFF, ntime: ntime, cleanJobs: clean)
    }
}
