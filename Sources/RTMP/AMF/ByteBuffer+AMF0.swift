public import NIOCore

extension ByteBuffer {
    /// Most nesting of objects and arrays accepted from a peer.
    static let amf0MaxDepth = 32
    /// Most entries in one container accepted from a peer.
    static let amf0MaxEntries = 65_536

    /// Reads every AMF0 value until the buffer is empty (an RTMP command's arguments).
    public mutating func readAMF0Values() throws(AMF0Error) -> [AMF0Value] {
        var values: [AMF0Value] = []
        while readableBytes > 0 {
            values.append(try readAMF0Value())
        }
        return values
    }

    /// Reads one AMF0 value. On error the reader index is left unspecified.
    public mutating func readAMF0Value() throws(AMF0Error) -> AMF0Value {
        try readAMF0Value(depth: 0)
    }

    private mutating func readAMF0Value(depth: Int) throws(AMF0Error) -> AMF0Value {
        guard depth < Self.amf0MaxDepth else { throw .tooDeep }
        guard let raw = readInteger(as: UInt8.self) else { throw .truncated }
        guard let marker = AMF0Marker(rawValue: raw) else { throw .unknownMarker(raw) }
        switch marker {
        case .number:
            return .number(try readAMF0Double())
        case .boolean:
            guard let b = readInteger(as: UInt8.self) else { throw .truncated }
            return .boolean(b != 0)
        case .string:
            return .string(try readAMF0String(lengthBytes: 2))
        case .longString:
            return .string(try readAMF0String(lengthBytes: 4))
        case .xmlDocument:
            return .xmlDocument(try readAMF0String(lengthBytes: 4))
        case .object:
            return .object(try readAMF0Properties(depth: depth))
        case .typedObject:
            let name = try readAMF0String(lengthBytes: 2)
            return .typedObject(className: name, try readAMF0Properties(depth: depth))
        case .ecmaArray:
            guard readInteger(as: UInt32.self) != nil else { throw .truncated }
            // The count is advisory; properties end with the object-end marker.
            return .ecmaArray(try readAMF0Properties(depth: depth))
        case .strictArray:
            guard let count = readInteger(as: UInt32.self) else { throw .truncated }
            guard count <= Self.amf0MaxEntries, Int(count) <= readableBytes else { throw .tooLarge(Int(count)) }
            var items: [AMF0Value] = []
            items.reserveCapacity(Int(count))
            for _ in 0..<count { items.append(try readAMF0Value(depth: depth + 1)) }
            return .strictArray(items)
        case .date:
            let ms = try readAMF0Double()
            guard readInteger(as: Int16.self) != nil else { throw .truncated }
            return .date(ms)
        case .null:
            return .null
        case .undefined, .unsupported:
            return .undefined
        case .movieClip, .reference, .objectEnd, .recordSet, .avmPlusObject:
            throw .unsupportedMarker(raw)
        }
    }

    private mutating func readAMF0Double() throws(AMF0Error) -> Double {
        guard let bits = readInteger(as: UInt64.self) else { throw .truncated }
        return Double(bitPattern: bits)
    }

    private mutating func readAMF0String(lengthBytes: Int) throws(AMF0Error) -> String {
        let length: Int
        if lengthBytes == 2 {
            guard let l = readInteger(as: UInt16.self) else { throw .truncated }
            length = Int(l)
        } else {
            guard let l = readInteger(as: UInt32.self) else { throw .truncated }
            length = Int(l)
        }
        guard length <= readableBytes, let bytes = readSlice(length: length) else { throw .truncated }
        guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else { throw .invalidUTF8 }
        return string
    }

    private mutating func readAMF0Properties(depth: Int) throws(AMF0Error) -> AMF0Object {
        var object = AMF0Object()
        while true {
            let key = try readAMF0String(lengthBytes: 2)
            if key.isEmpty {
                guard let end = readInteger(as: UInt8.self) else { throw .truncated }
                if end == AMF0Marker.objectEnd.rawValue { return object }
                // Some encoders write empty keys; put the marker back and read the value.
                moveReaderIndex(to: readerIndex - 1)
            }
            guard object.properties.count < Self.amf0MaxEntries else { throw .tooLarge(object.properties.count) }
            object.properties.append((key: key, value: try readAMF0Value(depth: depth + 1)))
        }
    }

    // MARK: - Writing

    public mutating func writeAMF0(_ value: AMF0Value) {
        switch value {
        case .number(let n):
            writeInteger(AMF0Marker.number.rawValue)
            writeInteger(n.bitPattern)
        case .boolean(let b):
            writeInteger(AMF0Marker.boolean.rawValue)
            writeInteger(UInt8(b ? 1 : 0))
        case .string(let s):
            if s.utf8.count > 0xFFFF {
                writeInteger(AMF0Marker.longString.rawValue)
                writeInteger(UInt32(s.utf8.count))
            } else {
                writeInteger(AMF0Marker.string.rawValue)
                writeInteger(UInt16(s.utf8.count))
            }
            writeString(s)
        case .xmlDocument(let s):
            writeInteger(AMF0Marker.xmlDocument.rawValue)
            writeInteger(UInt32(s.utf8.count))
            writeString(s)
        case .object(let o):
            writeInteger(AMF0Marker.object.rawValue)
            writeAMF0Properties(o)
        case .typedObject(let name, let o):
            writeInteger(AMF0Marker.typedObject.rawValue)
            writeAMF0Key(name)
            writeAMF0Properties(o)
        case .ecmaArray(let o):
            writeInteger(AMF0Marker.ecmaArray.rawValue)
            writeInteger(UInt32(o.properties.count))
            writeAMF0Properties(o)
        case .strictArray(let items):
            writeInteger(AMF0Marker.strictArray.rawValue)
            writeInteger(UInt32(items.count))
            for item in items { writeAMF0(item) }
        case .date(let ms):
            writeInteger(AMF0Marker.date.rawValue)
            writeInteger(ms.bitPattern)
            writeInteger(Int16(0))
        case .null:
            writeInteger(AMF0Marker.null.rawValue)
        case .undefined:
            writeInteger(AMF0Marker.undefined.rawValue)
        }
    }

    public mutating func writeAMF0(_ values: [AMF0Value]) {
        for value in values { writeAMF0(value) }
    }

    private mutating func writeAMF0Key(_ key: String) {
        // Cut over-long keys on a character boundary so they stay valid UTF-8.
        var end = key.utf8.count
        if end > 0xFFFF {
            var index = key.utf8.index(key.utf8.startIndex, offsetBy: 0xFFFF)
            while index > key.utf8.startIndex && UTF8.isContinuation(key.utf8[index]) { key.utf8.formIndex(before: &index) }
            end = key.utf8.distance(from: key.utf8.startIndex, to: index)
        }
        let utf8 = key.utf8.prefix(end)
        writeInteger(UInt16(utf8.count))
        writeBytes(utf8)
    }

    private mutating func writeAMF0Properties(_ object: AMF0Object) {
        for (key, value) in object.properties {
            writeAMF0Key(key)
            writeAMF0(value)
        }
        writeInteger(UInt16(0))
        writeInteger(AMF0Marker.objectEnd.rawValue)
    }
}
