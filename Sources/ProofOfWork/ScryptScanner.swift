/// Scans nonces with scrypt(1024, 1, 1) without allocating: the 128 KiB scratchpad and every SHA-256
/// buffer are allocated once per scanner, and PBKDF2's HMAC states are computed once per nonce and
/// reused for all five of its HMACs.
package final class ScryptScanner: NonceScanner {
    private static let n = 1024
    // Layout of `words`: header BE words (20), header midstate (8), state (8), schedule (64),
    // inner pad state (8), outer pad state (8), inner base (8), X (32), initial hash value (8).
    private let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 168)
    private let scratchpad = UnsafeMutablePointer<UInt32>.allocate(capacity: 32 * ScryptScanner.n)
    private var headerWords: UnsafeMutablePointer<UInt32> { words }
    private var headerMidstate: UnsafeMutablePointer<UInt32> { words + 20 }
    private var state: UnsafeMutablePointer<UInt32> { words + 28 }
    private var schedule: UnsafeMutablePointer<UInt32> { words + 36 }
    private var innerPad: UnsafeMutablePointer<UInt32> { words + 100 }
    private var outerPad: UnsafeMutablePointer<UInt32> { words + 108 }
    private var innerBase: UnsafeMutablePointer<UInt32> { words + 116 }
    private var x: UnsafeMutablePointer<UInt32> { words + 124 }
    private var initial: UnsafeMutablePointer<UInt32> { words + 156 }

    /// Creates a scanner and its scratch memory.
    package init() {
        words.initialize(repeating: 0, count: 168)
        for i in 0..<8 { initial[i] = SHA256.initialState[i] }
        scratchpad.initialize(repeating: 0, count: 32 * Self.n)
    }

    deinit {
        words.deallocate()
        scratchpad.deallocate()
    }

    /// Loads the header and compresses its first 64 bytes once (the key hash's midstate).
    package func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        header.withUnsafeBufferPointer { bytes in
            SHA256.loadWords(bytes.baseAddress!, count: 20, into: headerWords)
            SHA256.midstate(of: bytes.baseAddress!, into: headerMidstate, schedule: schedule)
        }
    }

    /// Scans nonces, hashing each with scrypt(1024, 1, 1).
    package func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let total = Self.clamp(start: start, count: count)
        var done: UInt32 = 0
        while done < total {
            let nonce = start &+ done
            done += 1
            headerWords[19] = nonce.byteSwapped
            hashCurrentHeader()
            if meets(target) { return ScanResult(hashesDone: done, nonce: nonce, hash: SHA256.digestBytes(state)) }
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }

    /// Leaves the digest's eight big-endian words in `state`.
    private func hashCurrentHeader() {
        // HMAC key: the header is longer than a block, so the key is SHA-256(header).
        for i in 0..<8 { state[i] = headerMidstate[i] }
        loadTail(lengthBits: 640, words: headerWords + 16, count: 4)
        SHA256.compress(state, schedule: schedule)
        // Inner and outer pad states.
        for i in 0..<8 { schedule[i] = state[i] ^ 0x3636_3636 }
        for i in 8..<16 { schedule[i] = 0x3636_3636 }
        for i in 0..<8 { innerPad[i] = initial[i] }
        let key0 = state[0], key1 = state[1], key2 = state[2], key3 = state[3]
        let key4 = state[4], key5 = state[5], key6 = state[6], key7 = state[7]
        SHA256.compress(innerPad, schedule: schedule)
        schedule[0] = key0 ^ 0x5C5C_5C5C; schedule[1] = key1 ^ 0x5C5C_5C5C
        schedule[2] = key2 ^ 0x5C5C_5C5C; schedule[3] = key3 ^ 0x5C5C_5C5C
        schedule[4] = key4 ^ 0x5C5C_5C5C; schedule[5] = key5 ^ 0x5C5C_5C5C
        schedule[6] = key6 ^ 0x5C5C_5C5C; schedule[7] = key7 ^ 0x5C5C_5C5C
        for i in 8..<16 { schedule[i] = 0x5C5C_5C5C }
        for i in 0..<8 { outerPad[i] = initial[i] }
        SHA256.compress(outerPad, schedule: schedule)
        // PBKDF2 block i: HMAC(header ‖ INT(i)); the salt's first 64 bytes are shared by all four.
        for i in 0..<8 { innerBase[i] = innerPad[i] }
        for i in 0..<16 { schedule[i] = headerWords[i] }
        SHA256.compress(innerBase, schedule: schedule)
        for block in 0..<4 {
            for i in 0..<8 { state[i] = innerBase[i] }
            for i in 0..<4 { schedule[i] = headerWords[16 + i] }
            schedule[4] = UInt32(block + 1)
            schedule[5] = 0x8000_0000
            for i in 6..<15 { schedule[i] = 0 }
            schedule[15] = (64 + 80 + 4) * 8
            SHA256.compress(state, schedule: schedule)
            finishOuter()
            for i in 0..<8 { x[8 * block + i] = state[i].byteSwapped }
        }
        roMix()
        // Final PBKDF2: HMAC(X ‖ INT(1)), 32 bytes.
        for i in 0..<8 { state[i] = innerPad[i] }
        for half in 0..<2 {
            for i in 0..<16 { schedule[i] = x[16 * half + i].byteSwapped }
            SHA256.compress(state, schedule: schedule)
        }
        schedule[0] = 1
        schedule[1] = 0x8000_0000
        for i in 2..<15 { schedule[i] = 0 }
        schedule[15] = (64 + 128 + 4) * 8
        SHA256.compress(state, schedule: schedule)
        finishOuter()
    }

    /// Replaces `state` (an inner digest) with the outer HMAC digest.
    @inline(__always)
    private func finishOuter() {
        for i in 0..<8 { schedule[i] = state[i]; state[i] = outerPad[i] }
        schedule[8] = 0x8000_0000
        for i in 9..<15 { schedule[i] = 0 }
        schedule[15] = (64 + 32) * 8
        SHA256.compress(state, schedule: schedule)
    }

    /// Fills the schedule with `count` words, SHA-256 padding and a message length of `lengthBits`.
    @inline(__always)
    private func loadTail(lengthBits: UInt32, words source: UnsafePointer<UInt32>, count: Int) {
        for i in 0..<count { schedule[i] = source[i] }
        schedule[count] = 0x8000_0000
        for i in (count + 1)..<15 { schedule[i] = 0 }
        schedule[15] = lengthBits
    }

    private func roMix() {
        let v = scratchpad
        for i in 0..<Self.n {
            (v + 32 * i).update(from: x, count: 32)
            Self.xorSalsa8(x, x + 16)
            Self.xorSalsa8(x + 16, x)
        }
        for _ in 0..<Self.n {
            let j = Int(x[16] & UInt32(Self.n - 1))
            let vj = v + 32 * j
            for k in 0..<32 { x[k] ^= vj[k] }
            Self.xorSalsa8(x, x + 16)
            Self.xorSalsa8(x + 16, x)
        }
    }

    /// `b = Salsa20/8(b ^ bx)`, the half-step of BlockMix for r = 1.
    @inline(__always)
    static func xorSalsa8(_ b: UnsafeMutablePointer<UInt32>, _ bx: UnsafePointer<UInt32>) {
        @inline(__always) func rotl(_ v: UInt32, _ n: UInt32) -> UInt32 { (v << n) | (v >> (32 - n)) }
        for i in 0..<16 { b[i] ^= bx[i] }
        var x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7]
        var x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15]
        for _ in 0..<4 {
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13); x15 ^= rotl(x14 &+ x13, 18)
        }
        b[0] &+= x0; b[1] &+= x1; b[2] &+= x2; b[3] &+= x3; b[4] &+= x4; b[5] &+= x5; b[6] &+= x6; b[7] &+= x7
        b[8] &+= x8; b[9] &+= x9; b[10] &+= x10; b[11] &+= x11; b[12] &+= x12; b[13] &+= x13; b[14] &+= x14; b[15] &+= x15
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
