/// Splits a byte stream into newline-terminated lines, with a cap on line length.
///
/// A line longer than ``maximumLineBytes`` is reported once as ``Event/oversized(_:)`` and its bytes are
/// discarded up to the next newline, so the lines after it still arrive intact.
public struct LineFramer: Sendable {
    /// One framing result.
    public enum Event: Sendable, Equatable {
        /// A complete line without its terminator (`\n` or `\r\n`).
        case line(String)
        /// A line exceeded the cap and was dropped; the number is the bytes seen before giving up.
        case oversized(Int)
    }

    /// The longest accepted line, in bytes, without its newline.
    public let maximumLineBytes: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    /// Creates a framer; real notify lines reach 9 KB, so the default is 64 KiB.
    public init(maximumLineBytes: Int = 65_536) { self.maximumLineBytes = maximumLineBytes }

    /// Feeds bytes and returns the events they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [Event] {
        var events = [Event]()
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if discarding {
                    discarding = false
                } else {
                    if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                    if !buffer.isEmpty { events.append(.line(String(decoding: buffer, as: UTF8.self))) }
                }
                buffer.removeAll(keepingCapacity: true)
                continue
            }
            if discarding { continue }
            buffer.append(byte)
            if buffer.count > maximumLineBytes {
                events.append(.oversized(buffer.count))
                buffer.removeAll(keepingCapacity: true)
                discarding = true
            }
        }
        return events
    }
}
