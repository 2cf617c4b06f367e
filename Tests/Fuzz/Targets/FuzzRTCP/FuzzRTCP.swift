import NIOCore
import WebRTC

/// Parses the input as one RTCP compound (re-writing what it understood, which must parse
/// again) and as one RTP packet; then reads it as a stream of datagrams behind 16-bit lengths
/// (RFC 4571 framing, as after SRTP unprotect), sorts them as the media port's demultiplexer
/// does, and feeds the RTP ones in order to the H.264 depacketizer (RFC 6184 single NAL unit,
/// STAP-A, FU-A).
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzRTCP(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var input = ByteBuffer(bytes: UnsafeBufferPointer(start: start, count: count))
    handleRTCP(input)
    _ = parseRTP(input)

    var depacketizer = H264Depacketizer()
    while let length = input.readInteger(as: UInt16.self), let datagram = input.readSlice(length: Int(length)) {
        switch PacketDemultiplexer.classify(datagram) {
        case .rtcp:
            handleRTCP(datagram)
        case .rtp:
            guard let packet = parseRTP(datagram) else { continue }
            depacketizer.push(packet).forEach(check)
        default:
            continue
        }
    }
    depacketizer.flush().map(check)
    return 0
}

/// Parses an RTCP compound; the packets it understood, written back, must parse again.
private func handleRTCP(_ datagram: ByteBuffer) {
    guard let packets = try? RTCPCompound.parse(datagram) else { return }
    var rewritten = ByteBuffer()
    for packet in packets {
        packet.write(into: &rewritten)
    }
    guard rewritten.readableBytes > 0 else { return }  // only packets the relay does not keep
    do {
        _ = try RTCPCompound.parse(rewritten)
    } catch {
        preconditionFailure("RTCP written from \(packets) does not parse: \(error)")
    }
}

/// Parses an RTP packet, checking that the header alone parses the same.
private func parseRTP(_ datagram: ByteBuffer) -> RTPPacket? {
    let header = try? RTPHeader.parse(datagram)
    guard let packet = try? RTPPacket.parse(datagram) else { return nil }
    precondition(header?.header == packet.header, "RTPPacket and RTPHeader disagree")
    precondition(packet.payload.readableBytes + (header?.size ?? 0) <= datagram.readableBytes)
    return packet
}

/// A reassembled access unit has no empty NAL unit and can be written as AVCC (4-byte lengths)
/// for the relay's feed.
private func check(_ unit: H264AccessUnit) {
    precondition(unit.nalUnits.allSatisfy { $0.readableBytes > 0 }, "an empty NAL unit")
    let avcc = unit.avcc
    precondition(avcc.readableBytes == unit.nalUnits.reduce(0) { $0 + 4 + $1.readableBytes })
    _ = unit.containsIDR
}
