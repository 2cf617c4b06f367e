import NIOCore
import WebRTC

/// The password of RFC 5769's sample messages (Seeds/stun), so seeded inputs reach a
/// MESSAGE-INTEGRITY that checks out.
private let password = "VOkJxbRl1RmTxUk/WvJxBt"
private let framer = ICETCPFramer()
/// Where the answered binding requests came from.
private let peer = try! SocketAddress(ipAddress: "192.0.2.1", port: 32853)

/// Classifies the input as the media port does and decodes it as one STUN datagram (checking
/// MESSAGE-INTEGRITY and FINGERPRINT, and answering a binding request as the ICE-lite agent
/// would: the answer must decode and check out). Then feeds it to the ICE-TCP (RFC 4571) framer
/// in pieces whose size the input's last byte picks: the packets must be the same as when the
/// whole input arrives at once, and each one is handled as a datagram.
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzSTUN(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let whole = ByteBuffer(bytes: bytes)
    handleDatagram(whole)

    guard let last = bytes.last else { return 0 }
    let piece = Int(last) % 64 + 1
    let atOnce = frames(of: whole, piece: count)
    let inPieces = frames(of: whole, piece: piece)
    precondition(atOnce.packets == inPieces.packets && atOnce.failed == inPieces.failed, "framing depends on the split")
    for packet in inPieces.packets {
        handleDatagram(packet)
    }
    return 0
}

/// What the media port does with a datagram: classify it, and for STUN decode, check and answer.
private func handleDatagram(_ datagram: ByteBuffer) {
    let kind = PacketDemultiplexer.classify(datagram)
    // Decoded whatever the first byte (0-63 can decode), answered only if sorted as STUN (0-3).
    guard let message = try? STUNMessage(decoding: datagram) else { return }
    let authentic = message.validatesIntegrity(password: password)
    _ = message.hasValidFingerprint
    if let username = message.username {
        _ = ICEUsername(stunUsername: username)
    }
    guard kind == .stun, message.isBindingRequest else { return }
    let unknown = message.unknownComprehensionRequiredAttributes
    let response =
        unknown.isEmpty
        ? STUNMessage.bindingSuccessResponse(transactionID: message.transactionID, mappedAddress: peer, password: password)
        : STUNMessage.bindingErrorResponse(
            transactionID: message.transactionID, code: 420, reason: "Unknown Attribute", password: authentic ? password : nil)
    // What the relay answers must decode, match the request and check out.
    guard let answer = try? STUNMessage(decoding: response) else { preconditionFailure("our response does not decode") }
    precondition(answer.transactionID == message.transactionID, "our response has another transaction")
    precondition(answer.hasValidFingerprint, "our response's FINGERPRINT is wrong")
    precondition(!unknown.isEmpty || answer.xorMappedAddress == peer, "our response maps another address")
    if unknown.isEmpty || authentic {
        precondition(answer.validatesIntegrity(password: password), "our response's MESSAGE-INTEGRITY is wrong")
    }
}

/// The RFC 4571 packets in `input` when it arrives `piece` bytes at a time, and whether the
/// framer refused the stream.
private func frames(of input: ByteBuffer, piece: Int) -> (packets: [ByteBuffer], failed: Bool) {
    var packets: [ByteBuffer] = []
    var pending = ByteBuffer()
    var offset = input.readerIndex
    while offset < input.writerIndex {
        let length = min(piece, input.writerIndex - offset)
        guard let slice = input.getSlice(at: offset, length: length) else { break }
        pending.writeImmutableBuffer(slice)
        offset += length
        do {
            while let packet = try framer.nextPacket(from: &pending) {
                precondition(packet.readableBytes > 0 && packet.readableBytes <= framer.maxPacketLength)
                packets.append(packet)
            }
        } catch {
            return (packets, true)
        }
        pending.discardReadBytes()
    }
    return (packets, false)
}
