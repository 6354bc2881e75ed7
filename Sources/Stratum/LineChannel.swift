import NIOCore
import NIOExtras

/// Newline-delimited text over a NIO channel, as both sides of stratum speak it: the framing and the
/// writing, shared by the client and the embedded test pool.
package enum LineChannel {
    /// Adds the line framing: swift-nio-extras' `LineBasedFrameDecoder` (which also drops a `\r` before
    /// the newline), with a cap. A line longer than `maximumLineBytes`, complete or not, raises
    /// ``StratumError/lineTooLong(limit:)`` instead of growing the buffer: the handler after it ends the
    /// connection.
    package static func addFraming(to channel: any Channel, maximumLineBytes: Int) throws {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(BoundedLineDecoder(limit: maximumLineBytes)))
    }

    /// `line` and a newline, ready to write.
    package static func buffer(_ line: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }
}

/// `LineBasedFrameDecoder` with a length cap on every line, whether its newline has arrived or not.
private final class BoundedLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    private let lines = LineBasedFrameDecoder()
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let line = try lines.decode(buffer: &buffer) else {
            if buffer.readableBytes > limit { throw StratumError.lineTooLong(limit: limit) }
            return .needMoreData
        }
        guard line.readableBytes <= limit else { throw StratumError.lineTooLong(limit: limit) }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)  // an unfinished last line is dropped
        return .needMoreData
    }
}
