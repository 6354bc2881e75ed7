/// Helpers for the 80-byte block header that every supported algorithm hashes.
///
/// Layout (all integers little-endian): version (0..<4), previous block hash (4..<36), merkle root
/// (36..<68), ntime (68..<72), nbits (72..<76), nonce (76..<80).
public enum BlockHeader {
    /// The size of a serialized header.
    public static let size = 80
    /// Offset of the nonce field.
    public static let nonceOffset = 76

    /// Writes `nonce` little-endian into bytes 76..<80.
    @inline(__always)
    public static func setNonce(_ nonce: UInt32, in header: inout [UInt8]) {
        header[76] = UInt8(nonce & 0xFF)
        header[77] = UInt8(nonce >> 8 & 0xFF)
        header[78] = UInt8(nonce >> 16 & 0xFF)
        header[79] = UInt8(nonce >> 24)
    }

    /// Reads the little-endian 32-bit field at `offset`.
    public static func field(_ header: [UInt8], at offset: Int) -> UInt32 {
        UInt32(header[offset]) | UInt32(header[offset + 1]) << 8 | UInt32(header[offset + 2]) << 16
            | UInt32(header[offset + 3]) << 24
    }
}
