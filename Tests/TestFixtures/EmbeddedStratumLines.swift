import NIOCore
import NIOEmbedded
import Stratum

extension EmbeddedChannel {
    /// Hands the pipeline one stratum line, as the line framing would (one line per buffer, no newline).
    public func receiveLine(_ line: String) throws {
        try writeInbound(ByteBuffer(string: line))
    }

    /// The stratum lines written to the channel since the last call, parsed (a buffer may hold several).
    public func readOutboundMessages() throws -> [StratumMessage] {
        var messages = [StratumMessage]()
        while let buffer = try readOutbound(as: ByteBuffer.self) {
            for line in String(buffer: buffer).split(separator: "\n") { messages.append(try StratumMessage.parse(String(line))) }
        }
        return messages
    }
}
