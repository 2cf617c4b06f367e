/// A value in Action Message Format 0 (AMF0 spec, section 2), as RTMP commands carry them.
public enum AMF0Value: Equatable, Sendable {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case object(AMF0Object)
    case null
    case undefined
    case ecmaArray(AMF0Object)
    case strictArray([AMF0Value])
    case date(Double)
    case xmlDocument(String)
    case typedObject(className: String, AMF0Object)

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The properties of an object, ECMA array or typed object.
    public var objectValue: AMF0Object? {
        switch self {
        case .object(let o), .ecmaArray(let o), .typedObject(_, let o): return o
        default: return nil
        }
    }
}

/// AMF0 type markers (AMF0 spec, section 2.1).
public enum AMF0Marker: UInt8, Sendable {
    case number = 0x00
    case boolean = 0x01
    case string = 0x02
    case object = 0x03
    case movieClip = 0x04
    case null = 0x05
    case undefined = 0x06
    case reference = 0x07
    case ecmaArray = 0x08
    case objectEnd = 0x09
    case strictArray = 0x0A
    case date = 0x0B
    case longString = 0x0C
    case unsupported = 0x0D
    case recordSet = 0x0E
    case xmlDocument = 0x0F
    case typedObject = 0x10
    case avmPlusObject = 0x11
}

/// An AMF0 object's properties in wire order.
public struct AMF0Object: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public var properties: [(key: String, value: AMF0Value)]

    public init(_ properties: [(key: String, value: AMF0Value)] = []) {
        self.properties = properties
    }

    public init(dictionaryLiteral elements: (String, AMF0Value)...) {
        self.properties = elements.map { (key: $0.0, value: $0.1) }
    }

    public subscript(key: String) -> AMF0Value? {
        get { properties.first { $0.key == key }?.value }
        set {
            if let index = properties.firstIndex(where: { $0.key == key }) {
                if let newValue { properties[index].value = newValue } else { properties.remove(at: index) }
            } else if let newValue {
                properties.append((key: key, value: newValue))
            }
        }
    }

    public static func == (lhs: AMF0Object, rhs: AMF0Object) -> Bool {
        lhs.properties.count == rhs.properties.count
            && zip(lhs.properties, rhs.properties).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
