public import NIOCore

/// RFC 6184 packetization-mode 1 for one H.264 stream: one AVCC access unit in, its RTP
/// payloads out, packetized once and shared by every viewer.
///
/// - A NAL unit that fits in `maxPayloadSize` goes as a single NAL unit packet: a slice of the
///   input, no copy.
/// - A larger one goes as FU-A fragments of balanced size. All FU-A fragments of an access
///   unit are written into one buffer allocated for that access unit, then sliced, so the
///   fragments cost one allocation per access unit, not one per packet.
/// - An access unit with an IDR slice (or flagged as a keyframe) that does not carry its own
///   SPS and PPS is preceded by a STAP-A with the stream's parameter sets, built once when they
///   change.
/// - Access unit delimiters, filler data and (by default) SEI are dropped: WebRTC decoders
///   ignore them.
/// - Hostile AVCC (a length past the end, zero lengths, an unsupported length size) yields the
///   packets of the well-formed NAL units before the damage; it never traps.
///
/// Malloc check (for the benchmark package): packetizing into a reused `[RTPPayload]` after a
/// warm-up, counted with an LD_PRELOAD `malloc` counter, took 0 mallocs per access unit of
/// single-NAL packets (keyframes too: the STAP-A is cached) and 2 for one with FU-A NALs
/// (the fragment buffer: ByteBuffer's storage object and its bytes), in a release build.
/// package-benchmark's `.mallocCountTotal` on the same loop should show the same.
public struct H264Packetizer: Sendable {
    /// The largest RTP payload produced, in bytes (at least 3, so a FU-A carries a byte).
    public let maxPayloadSize: Int
    /// Drop SEI NAL units (type 6) instead of sending them.
    public var dropsSEI: Bool

    /// SPS and PPS NAL units (header byte included, no start codes), in send order.
    public private(set) var parameterSets: [ByteBuffer] = []
    /// The STAP-A carrying `parameterSets`, or nil when they do not fit in one payload.
    private var parameterSetsPacket: ByteBuffer?
    /// Per access unit scratch (capacity kept): the NAL units to send, in order.
    private var units: [Unit] = []
    private let allocator = ByteBufferAllocator()

    /// Where a NAL unit to send lives: in the access unit or in `parameterSets`.
    private struct Unit {
        /// -1 for the access unit, else an index into `parameterSets`.
        var source: Int
        var offset: Int
        var length: Int
    }

    public init(maxPayloadSize: Int = 1200, dropsSEI: Bool = true) {
        self.maxPayloadSize = max(3, maxPayloadSize)
        self.dropsSEI = dropsSEI
    }

    /// Sets the stream's parameter sets (from the AVCDecoderConfigurationRecord: SPS then PPS,
    /// each with its header byte and without a start code) and builds their STAP-A.
    public mutating func setParameterSets(_ sets: [ByteBuffer]) {
        parameterSets = sets.filter { $0.readableBytes > 0 }
        parameterSetsPacket = Self.aggregationPacket(of: parameterSets, maxPayloadSize: maxPayloadSize, allocator: allocator)
    }

    /// Packetizes one access unit with `sps` and `pps` as the stream's parameter sets
    /// (rebuilding their STAP-A only when they changed).
    public mutating func packetize(
        accessUnit: ByteBuffer,
        nalLengthSize: Int = 4,
        sps: ByteBuffer,
        pps: ByteBuffer,
        isKeyframe: Bool
    ) -> [RTPPayload] {
        if parameterSets.count != 2 || parameterSets[0] != sps || parameterSets[1] != pps {
            setParameterSets([sps, pps])
        }
        var payloads: [RTPPayload] = []
        packetize(accessUnit: accessUnit, nalLengthSize: nalLengthSize, isKeyframe: isKeyframe, into: &payloads)
        return payloads
    }

    /// Packetizes one access unit with all the SPS and PPS of the stream's
    /// AVCDecoderConfigurationRecord (rebuilding their STAP-A only when they changed).
    public mutating func packetize(
        accessUnit: ByteBuffer,
        nalLengthSize: Int = 4,
        sps: [ByteBuffer],
        pps: [ByteBuffer],
        isKeyframe: Bool
    ) -> [RTPPayload] {
        if parameterSets.count != sps.count + pps.count
            || !zip(parameterSets, sps).allSatisfy(==)
            || !zip(parameterSets.dropFirst(sps.count), pps).allSatisfy(==)
        {
            setParameterSets(sps + pps)
        }
        var payloads: [RTPPayload] = []
        packetize(accessUnit: accessUnit, nalLengthSize: nalLengthSize, isKeyframe: isKeyframe, into: &payloads)
        return payloads
    }

    /// Appends the RTP payloads of one AVCC access unit (NAL units each after a big-endian
    /// length of `nalLengthSize` bytes, 1...4) to `payloads`; the last one appended has the
    /// marker bit. Appends nothing for an access unit with nothing to send.
    ///
    /// Reuse `payloads` (`removeAll(keepingCapacity: true)`) to keep the steady state free of
    /// allocations apart from the FU-A buffer.
    public mutating func packetize(
        accessUnit: ByteBuffer,
        nalLengthSize: Int = 4,
        isKeyframe: Bool,
        into payloads: inout [RTPPayload]
    ) {
        units.removeAll(keepingCapacity: true)
        let flags = collectUnits(of: accessUnit, nalLengthSize: nalLengthSize)
        guard !units.isEmpty else { return }
        let first = payloads.count

        // Parameter sets in front of a keyframe that lacks its own.
        if (isKeyframe || flags.hasIDR) && !(flags.hasSPS && flags.hasPPS) && !parameterSets.isEmpty {
            if let packet = parameterSetsPacket {
                payloads.append(RTPPayload(bytes: packet, marker: false))
            } else {
                units.insert(
                    contentsOf: parameterSets.indices.map {
                        Unit(source: $0, offset: parameterSets[$0].readerIndex, length: parameterSets[$0].readableBytes)
                    }, at: 0)
            }
        }

        // Every FU-A fragment of the access unit goes into one buffer, written completely before
        // it is sliced (a slice taken earlier would make later writes copy the storage).
        var fragmentBytes = 0
        for unit in units where unit.length > maxPayloadSize {
            let body = unit.length - 1
            fragmentBytes += body + 2 * fragmentCount(body: body)
        }
        var fragments: ByteBuffer?
        if fragmentBytes > 0 {
            var buffer = allocator.buffer(capacity: fragmentBytes)
            for unit in units where unit.length > maxPayloadSize {
                writeFragments(of: unit, accessUnit: accessUnit, into: &buffer)
            }
            fragments = buffer
        }

        var fragmentOffset = 0
        for unit in units {
            let source = unit.source < 0 ? accessUnit : parameterSets[unit.source]
            if unit.length <= maxPayloadSize {
                if let slice = source.getSlice(at: unit.offset, length: unit.length) {
                    payloads.append(RTPPayload(bytes: slice, marker: false))
                }
                continue
            }
            let body = unit.length - 1
            let count = fragmentCount(body: body)
            for index in 0..<count {
                let length = 2 + fragmentLength(body: body, count: count, index: index)
                if let slice = fragments?.getSlice(at: fragmentOffset, length: length) {
                    payloads.append(RTPPayload(bytes: slice, marker: false))
                }
                fragmentOffset += length
            }
        }
        if payloads.count > first {
            payloads[payloads.count - 1].marker = true
        }
    }
}

extension H264Packetizer {
    /// What `collectUnits` saw in the access unit.
    private struct Flags {
        var hasIDR = false
        var hasSPS = false
        var hasPPS = false
    }

    /// Walks the AVCC framing, filling `units` with the NAL units to send; stops at the first
    /// length that runs past the end.
    private mutating func collectUnits(of accessUnit: ByteBuffer, nalLengthSize: Int) -> Flags {
        var flags = Flags()
        guard (1...4).contains(nalLengthSize) else { return flags }
        var offset = accessUnit.readerIndex
        let end = accessUnit.writerIndex
        while end - offset >= nalLengthSize {
            var length = 0
            for index in 0..<nalLengthSize {
                guard let byte = accessUnit.getInteger(at: offset + index, as: UInt8.self) else { return flags }
                length = length << 8 | Int(byte)
            }
            offset += nalLengthSize
            guard length <= end - offset else { break }
            defer { offset += length }
            guard length > 0, let header = accessUnit.getInteger(at: offset, as: UInt8.self) else { continue }
            let type = H264NALType.of(header)
            guard H264NALType.isCodedNAL(type) else { continue }
            switch type {
            case H264NALType.accessUnitDelimiter, H264NALType.filler:
                continue
            case H264NALType.sei where dropsSEI:
                continue
            case H264NALType.idrSlice:
                flags.hasIDR = true
            case H264NALType.sequenceParameterSet:
                flags.hasSPS = true
            case H264NALType.pictureParameterSet:
                flags.hasPPS = true
            default:
                break
            }
            units.append(Unit(source: -1, offset: offset, length: length))
        }
        return flags
    }

    /// FU-A fragments for a NAL unit body (the bytes after its header byte) of `body` bytes.
    private func fragmentCount(body: Int) -> Int {
        let room = maxPayloadSize - 2
        return (body + room - 1) / room
    }

    /// Bytes of body in fragment `index`: balanced, the first `body % count` one byte longer.
    private func fragmentLength(body: Int, count: Int, index: Int) -> Int {
        body / count + (index < body % count ? 1 : 0)
    }

    /// Appends the FU-A fragments (indicator, header, body bytes) of one NAL unit.
    private func writeFragments(of unit: Unit, accessUnit: ByteBuffer, into fragments: inout ByteBuffer) {
        let source = unit.source < 0 ? accessUnit : parameterSets[unit.source]
        guard let header = source.getInteger(at: unit.offset, as: UInt8.self) else { return }
        let indicator = header & 0xE0 | H264NALType.fuA  // F and NRI kept
        let type = H264NALType.of(header)
        let body = unit.length - 1
        let count = fragmentCount(body: body)
        var bodyOffset = unit.offset + 1 - source.readerIndex
        source.withUnsafeReadableBytes { bytes in
            for index in 0..<count {
                let length = fragmentLength(body: body, count: count, index: index)
                var fuHeader = type
                if index == 0 { fuHeader |= 0x80 }
                if index == count - 1 { fuHeader |= 0x40 }
                fragments.writeInteger(indicator)
                fragments.writeInteger(fuHeader)
                fragments.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[bodyOffset..<bodyOffset + length]))
                bodyOffset += length
            }
        }
    }

    /// A STAP-A of `nalUnits`, or nil when there are none or they do not fit in one payload.
    static func aggregationPacket(of nalUnits: [ByteBuffer], maxPayloadSize: Int, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard !nalUnits.isEmpty else { return nil }
        let size = 1 + nalUnits.reduce(0) { $0 + 2 + $1.readableBytes }
        guard size <= maxPayloadSize, nalUnits.allSatisfy({ $0.readableBytes <= Int(UInt16.max) }) else { return nil }
        var packet = allocator.buffer(capacity: size)
        // F is the OR of the aggregated units' F bits, NRI their maximum (RFC 6184 §5.7.1).
        var forbidden: UInt8 = 0
        var nri: UInt8 = 0
        for unit in nalUnits {
            let header = unit.getInteger(at: unit.readerIndex, as: UInt8.self) ?? 0
            forbidden |= header & 0x80
            nri = max(nri, header & 0x60)
        }
        packet.writeInteger(forbidden | nri | H264NALType.stapA)
        for unit in nalUnits {
            packet.writeInteger(UInt16(unit.readableBytes))
            packet.writeImmutableBuffer(unit)
        }
        return packet
    }
}
