/// Bitcoin's proof of work: SHA-256 applied twice to the 80-byte header.
public struct SHA256d: ProofOfWork {
    /// Creates the algorithm.
    public init() {}

    /// `sha256d`.
    public var name: String { "sha256d" }
    /// SHA256d defines difficulty 1.
    public var difficultyScale: Double { 1 }
    /// About 5 ms of hashing for the portable kernel.
    public var batchSize: UInt32 { 16_384 }

    /// `SHA256(SHA256(header))`.
    public func hash(header: [UInt8]) -> [UInt8] { SHA256.doubleHash(header) }

    /// The midstate scanner.
    public func makeScanner() -> any NonceScanner { SHA256dScanner() }
}

/// Scans nonces with SHA256d using a midstate: the header's first 64 bytes are compressed once per
/// header; each nonce then costs one compression of the last 16 bytes and one of the 32-byte digest.
public final class SHA256dScanner: NonceScanner {
    /// 8 words midstate, 8 words working state, 64 words schedule, 16 words tail block template,
    /// 8 words initial hash value.
    private let memory = UnsafeMutablePointer<UInt32>.allocate(capacity: 104)
    private var midstate: UnsafeMutablePointer<UInt32> { memory }
    private var state: UnsafeMutablePointer<UInt32> { memory + 8 }
    private var schedule: UnsafeMutablePointer<UInt32> { memory + 16 }
    private var tail: UnsafeMutablePointer<UInt32> { memory + 80 }
    private var initial: UnsafeMutablePointer<UInt32> { memory + 96 }

    /// Creates a scanner with its scratch memory.
    public init() {
        memory.initialize(repeating: 0, count: 104)
        for i in 0..<8 { initial[i] = SHA256.initialState[i] }
    }

    deinit { memory.deallocate() }

    /// Computes the midstate and the second block's template.
    public func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        header.withUnsafeBufferPointer { bytes in
            for i in 0..<8 { midstate[i] = initial[i] }
            SHA256.loadBlock(bytes.baseAddress!, into: schedule)
            SHA256.compress(midstate, schedule: schedule)
            for i in 0..<4 {
                let b = bytes.baseAddress! + 64 + 4 * i
                tail[i] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            }
        }
        tail[4] = 0x8000_0000
        for i in 5..<15 { tail[i] = 0 }
        tail[15] = 640
    }

    /// Scans nonces; the last state word is checked first so most nonces end after one compare.
    public func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let total = Self.clamp(start: start, count: count)
        let topLimb = target.limb(7)
        var done: UInt32 = 0
        while done < total {
            let nonce = start &+ done
            done += 1
            // First hash: midstate + tail block with the nonce (header bytes are LE, SHA words BE).
            for i in 0..<8 { state[i] = midstate[i] }
            for i in 0..<16 { schedule[i] = tail[i] }
            schedule[3] = nonce.byteSwapped
            SHA256.compress(state, schedule: schedule)
            // Second hash: the 32-byte digest, padded.
            for i in 0..<8 { schedule[i] = state[i]; state[i] = initial[i] }
            schedule[8] = 0x8000_0000
            for i in 9..<15 { schedule[i] = 0 }
            schedule[15] = 256
            SHA256.compress(state, schedule: schedule)
            // Hash byte 28..<32 is the most significant limb; digest words are big-endian.
            let top = state[7].byteSwapped
            if top > topLimb { continue }
            if meets(target) { return ScanResult(hashesDone: done, nonce: nonce) }
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }

    private func meets(_ target: Target) -> Bool {
        for i in stride(from: 7, through: 0, by: -1) {
            let word = state[i].byteSwapped
            let limb = target.limb(i)
            if word != limb { return word < limb }
        }
        return true
    }
}
