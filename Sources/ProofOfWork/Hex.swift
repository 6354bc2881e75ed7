/// Hexadecimal encoding and decoding of byte strings, as stratum and block explorers write them.
///
/// Stratum sends every binary field as lower- or upper-case hex with no prefix; ``Hex`` turns those strings
/// into bytes in the order they are written (no byte swapping happens here).
public enum Hex {
    /// Decodes a hex string into bytes in written order; `nil` if the length is odd or a character is not hex.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8 = 0
        var isHigh = true
        for character in utf8 {
            guard let nibble = nibbleValue(character) else { return nil }
            if isHigh {
                high = nibble
            } else {
                bytes.append(high << 4 | nibble)
            }
            isHigh.toggle()
        }
        return bytes
    }

    /// Encodes bytes as lower-case hex, in the order given.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses exactly eight hex digits as a big-endian 32-bit number (stratum's version, nbits, ntime, nonce).
    public static func uint32(_ text: some StringProtocol) -> UInt32? {
        guard text.utf8.count == 8, let bytes = decode(text) else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Formats a number as eight big-endian hex digits, as `mining.submit` wants ntime and nonce.
    public static func string(_ value: UInt32) -> String {
        encode([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    private static func nibbleValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
