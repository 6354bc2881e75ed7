import Guarded
import Synchronization
import ProofOfWork

/// One unit of work from the pool, with everything needed to build block headers from it.
///
/// How a stratum job becomes a header (the part nobody used to explain):
/// 1. **Coinbase**: `coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2`. extranonce1 comes from the pool at
///    subscribe time; extranonce2 is ours to choose, exactly `extranonce2Size` bytes.
/// 2. **Merkle root**: `root = sha256d(coinbase)`, then for each branch hash `b`: `root = sha256d(root ‖ b)`.
///    The 32 bytes go into the header as computed, with no reversal.
/// 3. **Header** (80 bytes): version (LE) ‖ prevhash (each 4-byte word of the stratum form reversed) ‖ merkle
///    root ‖ ntime (LE) ‖ nbits (LE) ‖ nonce (LE).
/// 4. **Proof of work**: the algorithm's hash of the header, read as a little-endian 256-bit number, must be
///    at most ``target``.
public final class Job: Sendable {
    /// The notification this job came from.
    public let notification: JobNotification
    /// The pool-assigned coinbase prefix.
    public let extranonce1: [UInt8]
    /// How many bytes of extranonce2 the pool expects.
    public let extranonce2Size: Int
    /// The share difficulty in force when the job arrived.
    public let difficulty: Double
    /// The share target for ``difficulty`` under the job's algorithm.
    public let target: Target
    /// The proof-of-work algorithm.
    public let algorithm: any ProofOfWork
    /// The connection session that received the job (a share is only valid on that session).
    public let session: UInt64

    private let stopped = Atomic<Bool>(false)
    private let hashes = Atomic<UInt64>(0)
    private let started = Locked<ContinuousClock.Instant?>(nil)

    /// The job ID.
    public var id: String { notification.jobID }

    /// Creates a job. Fails when the difficulty does not give a target.
    public init(notification: JobNotification, extranonce1: [UInt8], extranonce2Size: Int, difficulty: Double,
                algorithm: any ProofOfWork, session: UInt64 = 0) throws(StratumError) {
        guard let target = algorithm.target(forDifficulty: difficulty) else {
            throw .invalidMessage("difficulty \(difficulty) is not a positive number")
        }
        guard (1...16).contains(extranonce2Size) else {
            throw .invalidMessage("extranonce2 size \(extranonce2Size) is outside 1...16")
        }
        self.notification = notification
        self.extranonce1 = extranonce1
        self.extranonce2Size = extranonce2Size
        self.difficulty = difficulty
        self.target = target
        self.algorithm = algorithm
        self.session = session
    }

    /// The extranonce2 bytes for a counter: big-endian, exactly ``extranonce2Size`` bytes (wrapping).
    public func extranonce2(_ counter: UInt64) -> [UInt8] {
        (0..<extranonce2Size).map { index in
            let shift = 8 * (extranonce2Size - 1 - index)
            return shift < 64 ? UInt8(truncatingIfNeeded: counter >> UInt64(shift)) : 0
        }
    }

    /// `coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2`.
    public func coinbase(extranonce2: [UInt8]) -> [UInt8] {
        notification.coinbase1 + extranonce1 + extranonce2 + notification.coinbase2
    }

    /// The merkle root for this extranonce2, in header byte order.
    public func merkleRoot(extranonce2: [UInt8]) -> [UInt8] {
        var root = SHA256.doubleHash(coinbase(extranonce2: extranonce2))
        for node in notification.merkleBranch { root = SHA256.doubleHash(root + node) }
        return root
    }

    /// The 80-byte header for an extranonce2 and nonce.
    public func header(extranonce2: [UInt8], nonce: UInt32 = 0) -> [UInt8] {
        var header = [UInt8]()
        header.reserveCapacity(80)
        header += Job.littleEndian(notification.version)
        header += notification.headerPrevhash
        header += merkleRoot(extranonce2: extranonce2)
        header += Job.littleEndian(notification.ntime)
        header += Job.littleEndian(notification.nbits)
        header += Job.littleEndian(nonce)
        return header
    }

    /// Checks a candidate with the algorithm's reference hash; returns the share only if it meets `target`.
    public func verify(extranonce2: [UInt8], nonce: UInt32, target: Target? = nil) -> Share? {
        let hash = algorithm.hash(header: header(extranonce2: extranonce2, nonce: nonce))
        guard (target ?? self.target).isMet(byHash: hash) else { return nil }
        return Share(jobID: id, extranonce2: extranonce2, ntime: notification.ntime, nonce: nonce, hash: hash,
                     difficulty: Target.difficulty(ofHash: hash, scale: algorithm.difficultyScale))
    }

    /// Mines this job on the calling thread: a lazy sequence of valid shares, trying nonces
    /// `nonceStart, nonceStart + nonceStride, …` for extranonce2 = 0, 1, 2, … until ``stop()``.
    /// Run several sequences with the same stride and different starts to split the work across threads.
    public func mine(nonceStart: UInt32 = 0, nonceStride: UInt32 = 1) -> ShareSequence {
        started.withLock { if $0 == nil { $0 = .now } }
        return ShareSequence(job: self, nonceStart: nonceStart, nonceStride: max(1, nonceStride))
    }

    /// Ends every running ``mine(nonceStart:nonceStride:)`` sequence at its next batch.
    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Hashes per second over all of this job's ``mine(nonceStart:nonceStride:)`` sequences so far.
    public var hashrate: Double {
        guard let start = started.withLock({ $0 }) else { return 0 }
        let elapsed = start.duration(to: .now)
        let seconds = elapsed.inSeconds
        return seconds > 0 ? Double(hashes.load(ordering: .relaxed)) / seconds : 0
    }

    func countHashes(_ count: UInt32) { hashes.add(UInt64(count), ordering: .relaxed) }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }
}

/// The shares a ``Job`` finds, in the order found. See ``Job/mine(nonceStart:nonceStride:)``.
public struct ShareSequence: Sequence, IteratorProtocol {
    private let job: Job
    private let nonceStart: UInt32
    private let nonceStride: UInt32
    private let scanner: any NonceScanner
    private var counter: UInt64 = 0
    private var extranonce2: [UInt8]
    private var nextNonce: UInt64
    private var loaded = false

    init(job: Job, nonceStart: UInt32, nonceStride: UInt32) {
        self.job = job
        self.nonceStart = nonceStart
        self.nonceStride = nonceStride
        self.scanner = job.algorithm.makeScanner()
        self.extranonce2 = job.extranonce2(0)
        self.nextNonce = UInt64(nonceStart)
    }

    /// The next valid share, or `nil` once the job is stopped.
    public mutating func next() -> Share? {
        while !job.isStopped {
            if nextNonce > UInt64(UInt32.max) {
                counter += 1
                extranonce2 = job.extranonce2(counter)
                nextNonce = UInt64(nonceStart)
                loaded = false
            }
            if !loaded {
                scanner.load(header: job.header(extranonce2: extranonce2))
                loaded = true
            }
            let start = UInt32(nextNonce)
            let count: UInt32 = nonceStride == 1 ? job.algorithm.batchSize : 1
            let result = scanner.scan(from: start, count: count, target: job.target)
            job.countHashes(result.hashesDone)
            let lastTried = UInt64(result.nonce ?? (start &+ result.hashesDone &- 1))
            nextNonce = nonceStride == 1 ? lastTried + 1 : UInt64(start) + UInt64(nonceStride)
            if let nonce = result.nonce {
                // The scanner's exact check hashed it; a plug-in scanner that does not say is verified here.
                if let hash = result.hash, hash.count == 32, job.target.isMet(byHash: hash) {
                    return Share(jobID: job.id, extranonce2: extranonce2, ntime: job.notification.ntime, nonce: nonce, hash: hash,
                                 difficulty: Target.difficulty(ofHash: hash, scale: job.algorithm.difficultyScale))
                }
                if result.hash == nil, let share = job.verify(extranonce2: extranonce2, nonce: nonce) { return share }
            }
        }
        return nil
    }
}
