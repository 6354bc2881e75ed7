/// Damages protocol lines for fuzzing: bytes flipped, ranges cut or repeated, JSON punctuation, escapes and
/// odd numbers inserted, digit runs replaced by extreme numbers, lines truncated. Seeded, so a failure names
/// the iteration that reproduces it.
public enum LineMutator {
    /// SplitMix64.
    public struct Generator: Sendable {
        public var state: UInt64
        public init(state: UInt64) { self.state = state }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// A number in 0..<bound (0 when bound is 0).
        public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
    }

    static let insertions = ["{", "}", "[", "]", "\"", ",", ":", "\\", "\\u0000", "\\ud800", "\\u00e9", "é", "\u{0}", "null", "true",
                             "-", "1e999", "-1", "18446744073709551616", "0.0000001", "NaN", " ", "\n", "\"\"", "[]", "{}"]

    /// `line` with one to five random damages.
    public static func mutate(_ line: String, _ random: inout Generator) -> String {
        var bytes = Array(line.utf8)
        for _ in 0...random.below(4) {
            let at = random.below(bytes.count + 1)
            switch random.below(6) {
            case 0 where !bytes.isEmpty:  // flip a byte
                bytes[min(at, bytes.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << random.below(8))
            case 1:  // cut a range
                let end = min(bytes.count, at + random.below(24))
                bytes.removeSubrange(at..<end)
            case 2:  // repeat a range
                let end = min(bytes.count, at + random.below(40))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            case 3:  // insert JSON punctuation, escapes, odd numbers
                bytes.insert(contentsOf: Array(insertions[random.below(insertions.count)].utf8), at: at)
            case 4:  // truncate
                bytes.removeSubrange(at...)
            default:  // replace a digit run with an extreme number
                if let digit = bytes[at...].firstIndex(where: { (0x30...0x39).contains($0) }) {
                    var end = digit
                    while end < bytes.count, (0x30...0x39).contains(bytes[end]) { end += 1 }
                    bytes.replaceSubrange(digit..<end, with: Array(["99999999999999999999", "0", "-7", "4294967296", "1.5"][random.below(5)].utf8))
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
