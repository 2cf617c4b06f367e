public import NIOCore

extension RTPHeader {
    /// How `extensions` go on the wire.
    enum ExtensionForm {
        case none
        /// RFC 8285 one-byte elements under 0xBEDE.
        case oneByte
        /// RFC 8285 two-byte elements under 0x1000.
        case twoByte
        /// An unknown profile's block kept as one id-0 element; written back as it came.
        case raw(profile: UInt16)

        var profile: UInt16 {
            switch self {
            case .none, .oneByte: RTPHeaderExtension.oneByteProfile
            case .twoByte: RTPHeaderExtension.twoByteProfile
            case .raw(let profile): profile
            }
        }
    }

    /// The form `extensions` are written in: one-byte when every element fits it, else two-byte.
    func extensionForm() throws(RTPError) -> ExtensionForm {
        if extensions.isEmpty { return .none }
        if let profile = extensionProfile, extensions.count == 1, extensions[0].id == 0,
            profile != RTPHeaderExtension.oneByteProfile,
            profile & RTPHeaderExtension.twoByteProfileMask != RTPHeaderExtension.twoByteProfile
        {
            return .raw(profile: profile)
        }
        let form: ExtensionForm
        if extensions.allSatisfy(\.fitsOneByteForm) {
            form = .oneByte
        } else {
            for element in extensions where !element.fitsTwoByteForm {
                throw .unencodableExtension(id: element.id, length: element.data.readableBytes)
            }
            form = .twoByte
        }
        let body = extensionBodySize(form)
        guard body <= 4 * Int(UInt16.max) else { throw .unencodableExtension(id: 0, length: body) }
        return form
    }

    /// Bytes of the extension elements (before padding to a 32-bit boundary).
    private func extensionBodySize(_ form: ExtensionForm) -> Int {
        var size = 0
        for element in extensions {
            switch form {
            case .none: break
            case .oneByte: size += 1 + element.data.readableBytes
            case .twoByte: size += 2 + element.data.readableBytes
            case .raw: size += element.data.readableBytes
            }
        }
        return size
    }

    /// Bytes this header takes on the wire; throws when it cannot be written.
    public func encodedSize() throws(RTPError) -> Int {
        guard csrcs.count <= 15 else { throw .tooManyCSRCs(csrcs.count) }
        let form = try extensionForm()
        return encodedSize(form)
    }

    private func encodedSize(_ form: ExtensionForm) -> Int {
        var size = Self.fixedSize + 4 * csrcs.count
        if case .none = form { return size }
        size += 4 + (extensionBodySize(form) + 3) / 4 * 4
        return size
    }

    /// Writes the header at `offset` in `destination` without allocating; returns its size.
    ///
    /// This is the per-viewer hot path: the payload bytes follow, copied from the shared
    /// packetized buffer, then SRTP protects the whole packet in place.
    @discardableResult
    public func write(into destination: UnsafeMutableRawBufferPointer, at offset: Int) throws(RTPError) -> Int {
        guard csrcs.count <= 15 else { throw .tooManyCSRCs(csrcs.count) }
        let form = try extensionForm()
        let size = encodedSize(form)
        guard offset >= 0, destination.count - offset >= size else { throw .bufferTooSmall(needed: size) }
        writeUnchecked(into: destination, at: offset, form: form)
        return size
    }

    /// Appends the header to `buffer`.
    public func write(into buffer: inout ByteBuffer) throws(RTPError) {
        guard csrcs.count <= 15 else { throw .tooManyCSRCs(csrcs.count) }
        let form = try extensionForm()
        let size = encodedSize(form)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { destination in
            writeUnchecked(into: destination, at: 0, form: form)
            return size
        }
    }

    /// Writes with the room and the form already checked.
    private func writeUnchecked(into destination: UnsafeMutableRawBufferPointer, at start: Int, form: ExtensionForm) {
        var extensionFlag: UInt8 = 0
        if case .none = form {} else { extensionFlag = 0x10 }
        let first = Self.version << 6 | (hasPadding ? 0x20 : 0) | extensionFlag | UInt8(csrcs.count)
        destination.storeBytes(of: first, toByteOffset: start, as: UInt8.self)
        destination.storeBytes(of: (marker ? 0x80 : 0) | payloadType & 0x7F, toByteOffset: start + 1, as: UInt8.self)
        destination.storeBytes(of: sequenceNumber.bigEndian, toByteOffset: start + 2, as: UInt16.self)
        destination.storeBytes(of: timestamp.bigEndian, toByteOffset: start + 4, as: UInt32.self)
        destination.storeBytes(of: ssrc.bigEndian, toByteOffset: start + 8, as: UInt32.self)
        var offset = start + Self.fixedSize
        for csrc in csrcs {
            destination.storeBytes(of: csrc.bigEndian, toByteOffset: offset, as: UInt32.self)
            offset += 4
        }
        if case .none = form { return }

        let body = extensionBodySize(form)
        let words = (body + 3) / 4
        destination.storeBytes(of: form.profile.bigEndian, toByteOffset: offset, as: UInt16.self)
        destination.storeBytes(of: UInt16(truncatingIfNeeded: words).bigEndian, toByteOffset: offset + 2, as: UInt16.self)
        offset += 4
        let blockEnd = offset + 4 * words
        for element in extensions {
            let length = element.data.readableBytes
            switch form {
            case .none, .raw:
                break
            case .oneByte:
                destination.storeBytes(of: element.id << 4 | UInt8(length - 1), toByteOffset: offset, as: UInt8.self)
                offset += 1
            case .twoByte:
                destination.storeBytes(of: element.id, toByteOffset: offset, as: UInt8.self)
                destination.storeBytes(of: UInt8(length), toByteOffset: offset + 1, as: UInt8.self)
                offset += 2
            }
            element.data.withUnsafeReadableBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: destination[offset..<offset + length]).copyMemory(from: source)
            }
            offset += length
        }
        while offset < blockEnd {  // zero padding to the 32-bit boundary
            destination.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }
}
