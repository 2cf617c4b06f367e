public import NIOCore

/// RTMP message type IDs (RTMP spec 5.4 protocol control, 7.1 command/data/media).
public enum RTMPMessageType: UInt8, Sendable {
    case setChunkSize = 1
    case abort = 2
    case acknowledgement = 3
    case userControl = 4
    case windowAcknowledgementSize = 5
    case setPeerBandwidth = 6
    case audio = 8
    case video = 9
    case amf3Data = 15
    case amf3SharedObject = 16
    case amf3Command = 17
    case amf0Data = 18
    case amf0SharedObject = 19
    case amf0Command = 20
    case aggregate = 22
}

/// User control event types (RTMP spec 7.1.7).
public enum RTMPUserControlEvent: UInt16, Sendable {
    case streamBegin = 0
    case streamEOF = 1
    case streamDry = 2
    case setBufferLength = 3
    case streamIsRecorded = 4
    case pingRequest = 6
    case pingResponse = 7
}

/// Chunk stream IDs the relay writes on.
public enum RTMPChunkStreamID {
    public static let protocolControl: UInt32 = 2
    public static let command: UInt32 = 3
    public static let data: UInt32 = 5
    public static let video: UInt32 = 6
    public static let audio: UInt32 = 7
}

/// One reassembled RTMP message.
public struct RTMPMessage: Sendable {
    public var typeID: UInt8
    public var streamID: UInt32
    public var timestamp: UInt32
    public var payload: ByteBuffer

    public init(typeID: UInt8, streamID: UInt32, timestamp: UInt32, payload: ByteBuffer) {
        self.typeID = typeID
        self.streamID = streamID
        self.timestamp = timestamp
        self.payload = payload
    }

    public init(type: RTMPMessageType, streamID: UInt32 = 0, timestamp: UInt32 = 0, payload: ByteBuffer) {
        self.init(typeID: type.rawValue, streamID: streamID, timestamp: timestamp, payload: payload)
    }

    public var type: RTMPMessageType? { RTMPMessageType(rawValue: typeID) }
}
