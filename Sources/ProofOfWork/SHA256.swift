/// The SHA-256 compression function and whole-message hashing (FIPS 180-4), written out plainly.
///
/// Mining needs the compression function on its own: a block header is 80 bytes, so its first 64 bytes
/// can be compressed once per job (the *midstate*) and only the last 16 bytes, which hold the nonce,
/// change from hash to hash. All words here are big-endian, as SHA-256 defines them.
public enum SHA256 {
    /// The initial hash value H(0).
    public static let initialState: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    /// The 64 round constants, kept in memory that is never freed so hot loops read them without checks.
    // Immutable after initialisation, so sharing it across threads is safe.
    nonisolated(unsafe) static let roundConstants: UnsafePointer<UInt32> = {
        let k: [UInt32] = [
            0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
            0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
            0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
            0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
            0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
            0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
            0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
            0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
        ]
        let storage = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        storage.initialize(from: k, count: 64)
        return UnsafePointer(storage)
    }()

    @inline(__always)
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    /// Compresses one 64-byte block into `state` (8 words).
    ///
    /// - Parameters:
    ///   - state: eight words, updated in place.
    ///   - schedule: 64 words of scratch whose first 16 hold the block as big-endian words; the other 48
    ///     are overwritten with the message schedule.
    @inline(__always)
    public static func compress(_ state: UnsafeMutablePointer<UInt32>, schedule w: UnsafeMutablePointer<UInt32>) {
        for i in 16..<64 {
            let w15 = w[i - 15], w2 = w[i - 2]
            let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
            let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        let k = roundConstants
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ majority
            h = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
    }

    /// Loads `count` big-endian words from `bytes` into `words`.
    @inline(__always)
    static func loadWords(_ bytes: UnsafePointer<UInt8>, count: Int, into words: UnsafeMutablePointer<UInt32>) {
        for i in 0..<count {
            words[i] = UInt32(bytes[4 * i]) << 24 | UInt32(bytes[4 * i + 1]) << 16
                | UInt32(bytes[4 * i + 2]) << 8 | UInt32(bytes[4 * i + 3])
        }
    }

    /// Loads 64 bytes as 16 big-endian words into `words`.
    @inline(__always)
    static func loadBlock(_ bytes: UnsafePointer<UInt8>, into words: UnsafeMutablePointer<UInt32>) {
        loadWords(bytes, count: 16, into: words)
    }

    /// Sets `state` to the hash state after the 64-byte block at `bytes` (a header's midstate); `schedule`
    /// is 64 words of scratch.
    static func midstate(of bytes: UnsafePointer<UInt8>, into state: UnsafeMutablePointer<UInt32>,
                         schedule: UnsafeMutablePointer<UInt32>) {
        for i in 0..<8 { state[i] = initialState[i] }
        loadBlock(bytes, into: schedule)
        compress(state, schedule: schedule)
    }

    /// Stores eight state words as 32 big-endian bytes (the digest).
    @inline(__always)
    static func storeDigest(_ state: UnsafePointer<UInt32>, into bytes: UnsafeMutablePointer<UInt8>) {
        for i in 0..<8 {
            bytes[4 * i] = UInt8(state[i] >> 24)
            bytes[4 * i + 1] = UInt8(state[i] >> 16 & 0xFF)
            bytes[4 * i + 2] = UInt8(state[i] >> 8 & 0xFF)
            bytes[4 * i + 3] = UInt8(state[i] & 0xFF)
        }
    }

    /// Eight state words as the 32-byte digest (allocates: for a found share, not per nonce).
    static func digestBytes(_ state: UnsafePointer<UInt32>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            storeDigest(state, into: buffer.baseAddress!)
            count = 32
        }
    }

    /// SHA-256 of a whole message.
    public static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
        var padded = Array(message)
        let bitLength = UInt64(padded.count) * 8
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(bitLength >> UInt64(shift) & 0xFF)) }
        var state = initialState
        var schedule = [UInt32](repeating: 0, count: 64)
        var digest = [UInt8](repeating: 0, count: 32)
        padded.withUnsafeBufferPointer { input in
            state.withUnsafeMutableBufferPointer { statePointer in
                schedule.withUnsafeMutableBufferPointer { w in
                    for offset in stride(from: 0, to: input.count, by: 64) {
                        loadBlock(input.baseAddress! + offset, into: w.baseAddress!)
                        compress(statePointer.baseAddress!, schedule: w.baseAddress!)
                    }
                }
                digest.withUnsafeMutableBufferPointer { storeDigest(statePointer.baseAddress!, into: $0.baseAddress!) }
            }
        }
        return digest
    }

    /// SHA-256 applied twice (Bitcoin's `sha256d`): the block hash, txid and merkle node function.
    public static func doubleHash(_ message: some Collection<UInt8>) -> [UInt8] {
        hash(hash(message))
    }
}
