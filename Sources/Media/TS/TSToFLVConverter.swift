public import NIOCore
public import RelayCore

/// Turns MPEG-TS elementary packets into the relay's FLV-tag ``MediaMessage``s:
/// H.264 Annex B → AVCC with an AVC sequence header built from the in-band SPS/PPS, and AAC
/// ADTS → raw AAC with an AudioSpecificConfig sequence header.
///
/// Nothing goes out before the sequence headers of every expected stream are known (or
/// ``maxHeldMessages`` (a few seconds) were held waiting), so players always get configuration first; video
/// starts at a keyframe, and after damage waits for the next keyframe.
public struct TSToFLVConverter {
    public static let maxHeldMessages = 100

    private let expectsVideo: Bool
    private let expectsAudio: Bool
    private let allocator: ByteBufferAllocator
    private var origin: Int64?
    private var sps: [UInt8]?
    private var pps: [UInt8]?
    private var videoRecord: [UInt8]?
    private var audioConfig: [UInt8]?
    private var waitingForKeyframe = true
    private var started = false
    private var held: [MediaMessage] = []
    /// Set when a new AVC sequence header went out (for the live view); read and clear it.
    public var newVideoConfiguration: AVCConfiguration?
    /// Video packets dropped while waiting for a keyframe (start, or after damage).
    public private(set) var droppedVideoPackets = 0

    public init(expectsVideo: Bool, expectsAudio: Bool, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.expectsVideo = expectsVideo
        self.expectsAudio = expectsAudio
        self.allocator = allocator
    }

    public mutating func convert(_ packet: ElementaryPacket) -> [MediaMessage] {
        let base = origin ?? packet.dtsMillis
        origin = base
        var out: [MediaMessage] = []
        switch packet.codec {
        case .h264: convertVideo(packet, dts: UInt32(clamping: max(0, packet.dtsMillis - base)), into: &out)
        case .aac: convertAudio(packet, since: packet.dtsMillis - base, into: &out)
        }
        guard !started else { return out }
        held += out
        let ready = (!expectsVideo || videoRecord != nil) && (!expectsAudio || audioConfig != nil)
        guard ready || held.count >= Self.maxHeldMessages else { return [] }
        started = true
        // Headers first, then what waited for them.
        let headers = held.filter(\.isSequenceHeader)
        let media = held.filter { !$0.isSequenceHeader }
        held = []
        return headers + media
    }

    private mutating func convertVideo(_ packet: ElementaryPacket, dts: UInt32, into out: inout [MediaMessage]) {
        if packet.isCorrupt {
            waitingForKeyframe = true
            droppedVideoPackets += 1
            return
        }
        var frameUnits: [ArraySlice<UInt8>] = []
        var hasIDR = false
        for unit in AnnexB.nalUnits(packet.data) {
            switch AnnexB.type(of: unit) {
            case AnnexB.NALType.sps: sps = Array(unit)
            case AnnexB.NALType.pps: pps = Array(unit)
            case AnnexB.NALType.accessUnitDelimiter: continue
            case AnnexB.NALType.idr:
                hasIDR = true
                frameUnits.append(unit)
            default: frameUnits.append(unit)
            }
        }
        if let sps, let pps, let record = AnnexB.decoderConfigurationRecord(sps: sps, pps: pps), record != videoRecord {
            videoRecord = record
            newVideoConfiguration = try? AVCConfiguration.parse(record)
            out.append(message(.video, dts, [0x17, 0, 0, 0, 0], record))
        }
        let isKey = hasIDR || packet.isKeyframe
        guard videoRecord != nil, !frameUnits.isEmpty, !(waitingForKeyframe && !isKey) else {
            if !frameUnits.isEmpty { droppedVideoPackets += 1 }
            return
        }
        waitingForKeyframe = false
        let cts = Int32(clamping: max(-0x80_0000, min(0x7F_FFFF, packet.ptsMillis - packet.dtsMillis)))
        let prefix: [UInt8] = [
            isKey ? 0x17 : 0x27, 1, UInt8(truncatingIfNeeded: cts >> 16), UInt8(truncatingIfNeeded: cts >> 8), UInt8(truncatingIfNeeded: cts),
        ]
        out.append(message(.video, dts, prefix, AnnexB.avcc(frameUnits)))
    }

    /// A PES's AAC frames, the first at `start` ms from the stream's origin. Frames stamped
    /// before the origin (a publisher's first audio, a frame or two ahead of its first picture)
    /// are left out: clamped to the origin, they would overlap the next PES's frames (two
    /// frames at one time for a player that starts there).
    private mutating func convertAudio(_ packet: ElementaryPacket, since start: Int64, into out: inout [MediaMessage]) {
        let frames = ADTSHeader.frames(packet.data)
        for (index, frame) in frames.enumerated() {
            let time = start + Int64(index * 1024 * 1000 / max(frame.header.sampleRate, 1))
            let config = frame.header.audioSpecificConfig
            if config != audioConfig {
                audioConfig = config
                out.append(message(.audio, UInt32(clamping: max(0, time)), [0xAF, 0], config))
            }
            guard time >= 0 else { continue }
            out.append(message(.audio, UInt32(clamping: time), [0xAF, 1], Array(frame.payload)))
        }
    }

    private func message(_ kind: MediaMessage.Kind, _ timestamp: UInt32, _ prefix: [UInt8], _ body: [UInt8]) -> MediaMessage {
        var payload = MediaMessage.allocatePayload(capacity: prefix.count + body.count, allocator: allocator)
        payload.writeBytes(prefix)
        payload.writeBytes(body)
        return MediaMessage(kind: kind, timestamp: timestamp, payload: payload)
    }
}
