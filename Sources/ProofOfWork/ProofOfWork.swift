/// A proof-of-work algorithm: how an 80-byte block header becomes the 32-byte hash compared with a target.
///
/// Implement ``name`` and ``hash(header:)`` to plug in an algorithm; register it in an
/// ``AlgorithmRegistry`` and the miner, the test pool and the share verifier can use it by name.
/// Built-in algorithms also provide a fast ``makeScanner()``; a plug-in gets a plain one that calls
/// ``hash(header:)`` for every nonce.
public protocol ProofOfWork: Sendable {
    /// The name used on the command line and in the registry (`sha256d`, `scrypt`).
    var name: String { get }

    /// How much larger this algorithm's targets are than SHA256d's for the same pool difficulty:
    /// 1 for SHA256d, 65,536 for scrypt (pools quote scrypt difficulty in units of 2^16).
    var difficultyScale: Double { get }

    /// Nonces a hashing thread scans between two looks at the job epoch; sized so a batch takes a few
    /// milliseconds, which bounds how late a thread learns about a new job.
    var batchSize: UInt32 { get }

    /// The reference hash of one 80-byte header (nonce included), as 32 bytes in hash order
    /// (little-endian number; see ``Target``).
    func hash(header: [UInt8]) -> [UInt8]

    /// A scanner for one hashing thread; it owns whatever scratch memory the algorithm needs.
    func makeScanner() -> any NonceScanner

    /// The name of the kernel ``makeScanner()`` uses (shown in `/stats`, status lines and benchmarks).
    var kernelName: String { get }

    /// The same algorithm on another kernel worth a trial while mining: the calibration's runner-up (or,
    /// once the miner has switched to it, the kernel it replaced). `nil` when there is nothing to review:
    /// one kernel only, or a kernel the user chose by name.
    var runnerUp: (any ProofOfWork)? { get }
}

extension ProofOfWork {
    /// A conservative default for plug-ins.
    public var batchSize: UInt32 { 256 }

    /// Plug-ins scan by calling ``hash(header:)`` for each nonce.
    public func makeScanner() -> any NonceScanner { ReferenceScanner(algorithm: self) }

    /// `<name>-reference` for plug-ins.
    public var kernelName: String { "\(name)-reference" }

    /// Plug-ins have one kernel: nothing to review.
    public var runnerUp: (any ProofOfWork)? { nil }

    /// The target for a pool difficulty under this algorithm's ``difficultyScale``.
    public func target(forDifficulty difficulty: Double) -> Target? {
        Target(difficulty: difficulty, scale: difficultyScale)
    }
}

/// The outcome of scanning part of a nonce range.
public struct ScanResult: Sendable, Equatable {
    /// Nonces hashed, the found one included.
    public var hashesDone: UInt32
    /// The first nonce whose hash met the target, if any; scanning stopped right after it.
    public var nonce: UInt32?
    /// The found nonce's hash (hash order) from the exact computation that checked it against the whole
    /// target, so no later stage needs to hash the share again; `nil` when nothing was found (and from
    /// plug-in scanners that do not report it).
    public var hash: [UInt8]?

    /// Creates a scan result.
    public init(hashesDone: UInt32, nonce: UInt32?, hash: [UInt8]? = nil) {
        self.hashesDone = hashesDone
        self.nonce = nonce
        self.hash = hash
    }
}

/// Per-thread hashing state: load a header once, then scan nonce ranges against a target.
///
/// A scanner is used by one thread at a time and must not allocate while scanning.
public protocol NonceScanner: AnyObject {
    /// Loads an 80-byte header; its nonce field (bytes 76..<80) is ignored.
    func load(header: [UInt8])

    /// Hashes nonces `start, start + 1, …` (at most `count` of them, never past 0xFFFFFFFF) and stops at
    /// the first whose hash meets `target`.
    func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult
}

extension NonceScanner {
    /// The number of nonces that can really be scanned from `start` (the range never wraps past 0xFFFFFFFF).
    @inline(__always)
    static func clamp(start: UInt32, count: UInt32) -> UInt32 {
        UInt32(min(UInt64(count), (1 << 32) - UInt64(start)))
    }
}

/// The plain scanner: sets the nonce and calls the algorithm's reference hash. Used for plug-ins and as
/// the yardstick fast scanners are tested against.
public final class ReferenceScanner: NonceScanner {
    private let algorithm: any ProofOfWork
    private var header = [UInt8](repeating: 0, count: 80)

    /// Creates a scanner over `algorithm.hash(header:)`.
    public init(algorithm: any ProofOfWork) { self.algorithm = algorithm }

    /// Loads the header (nonce ignored).
    public func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        self.header = header
    }

    /// Scans by hashing each nonce with the reference function.
    public func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let total = Self.clamp(start: start, count: count)
        var done: UInt32 = 0
        while done < total {
            let nonce = start &+ done
            BlockHeader.setNonce(nonce, in: &header)
            done += 1
            let hash = algorithm.hash(header: header)
            if target.isMet(byHash: hash) { return ScanResult(hashesDone: done, nonce: nonce, hash: hash) }
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }
}
