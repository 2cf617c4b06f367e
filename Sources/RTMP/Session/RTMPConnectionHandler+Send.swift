import NIOCore

extension RTMPConnectionHandler {
    /// Encodes a per-connection message (control, command, status) and writes it, unflushed.
    func send(_ message: RTMPMessage, csid: UInt32) {
        guard let context else { return }
        writePendingMedia()
        var buffer = context.channel.allocator.buffer(capacity: message.payload.readableBytes + 18)
        encoder.encode(message, csid: csid, into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// Writes media `wire` bytes: joined to the pending buffer when they follow it in the same
    /// segment (`segment`, nonzero), otherwise the pending buffer goes to the pipeline and `wire`
    /// becomes pending.
    func writeMedia(_ wire: ByteBuffer, segment: UInt64) {
        if let pending = pendingMedia, segment != 0, pendingSegment == segment, pending.writerIndex == wire.readerIndex {
            var joined = wire
            joined.moveReaderIndex(to: pending.readerIndex)
            pendingMedia = joined
            return
        }
        writePendingMedia()
        pendingMedia = wire
        pendingSegment = segment
    }

    /// Hands the pending media to the pipeline (before anything else is written, and at flush).
    func writePendingMedia() {
        guard let pending = pendingMedia else { return }
        pendingMedia = nil
        context?.write(wrapOutboundOut(pending), promise: nil)
    }

    func sendControl(_ type: RTMPMessageType, _ value: UInt32, extra: UInt8? = nil) {
        var payload = ByteBuffer()
        payload.writeInteger(value)
        if let extra { payload.writeInteger(extra) }
        send(RTMPMessage(type: type, payload: payload), csid: RTMPChunkStreamID.protocolControl)
    }

    func sendUserControl(_ event: RTMPUserControlEvent, value: UInt32) {
        var payload = ByteBuffer()
        payload.writeInteger(event.rawValue)
        payload.writeInteger(value)
        send(RTMPMessage(type: .userControl, payload: payload), csid: RTMPChunkStreamID.protocolControl)
    }

    func sendCommand(_ values: [AMF0Value], streamID: UInt32 = 0) {
        var payload = ByteBuffer()
        payload.writeAMF0(values)
        send(RTMPMessage(type: .amf0Command, streamID: streamID, payload: payload), csid: RTMPChunkStreamID.command)
    }

    func sendResult(_ transactionID: Double, _ values: [AMF0Value]) {
        sendCommand([.string("_result"), .number(transactionID)] + values)
    }

    func sendStatus(level: String, code: String, description: String, streamID: UInt32 = RTMPSegmentFramer.playStreamID) {
        let info: AMF0Object = [
            "level": .string(level), "code": .string(code), "description": .string(description),
            "clientid": .number(1),
        ]
        sendCommand([.string("onStatus"), .number(0), .null, .object(info)], streamID: streamID)
    }

    func sendData(_ values: [AMF0Value], streamID: UInt32 = RTMPSegmentFramer.playStreamID) {
        var payload = ByteBuffer()
        payload.writeAMF0(values)
        send(RTMPMessage(type: .amf0Data, streamID: streamID, payload: payload), csid: RTMPChunkStreamID.data)
    }

    /// Writes a refusal the client's library will report, then closes once it is sent.
    func refuse(level: String = "error", code: String, description: String) {
        end(session.refuse(), reason: description)
        writeRefusal(level: level, code: code, description: description)
    }

    /// The refusal's status, then the close once it is written (the session is closing already).
    func writeRefusal(level: String = "error", code: String, description: String) {
        guard let context else { return }
        sendStatus(level: level, code: code, description: description)
        closeOnceSent(context)
    }

    /// Flushes what was written and closes the connection once the socket took it (the write's
    /// promise, not a timer).
    func closeOnceSent(_ context: ChannelHandlerContext) {
        let channel = context.channel
        let sent = context.eventLoop.makePromise(of: Void.self)
        sent.futureResult.whenComplete { _ in channel.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: sent)
    }
}
