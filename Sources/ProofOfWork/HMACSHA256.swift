/// HMAC-SHA256 and PBKDF2-HMAC-SHA256 (RFC 2104, RFC 8018), the plain way: arrays in, arrays out.
package enum HMACSHA256 {
    /// HMAC-SHA256 of `message` under `key`.
    package static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256.hash(block.map { $0 ^ 0x5C } + inner)
    }

    /// PBKDF2 with HMAC-SHA256: `dkLen` bytes from `password` and `salt` after `iterations` rounds.
    package static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, dkLen: Int) -> [UInt8] {
        var output = [UInt8]()
        var blockIndex: UInt32 = 1
        while output.count < dkLen {
            let indexBytes = [UInt8(blockIndex >> 24), UInt8(blockIndex >> 16 & 0xFF), UInt8(blockIndex >> 8 & 0xFF), UInt8(blockIndex & 0xFF)]
            var u = authenticate(salt + indexBytes, key: password)
            var t = u
            if iterations > 1 {
                for _ in 1..<iterations {
                    u = authenticate(u, key: password)
                    for i in 0..<32 { t[i] ^= u[i] }
                }
            }
            output += t
            blockIndex += 1
        }
        return Array(output.prefix(dkLen))
    }
}
