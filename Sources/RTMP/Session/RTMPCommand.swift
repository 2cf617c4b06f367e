public import NIOCore

/// An AMF0 command message from a client (RTMP spec 7.2): name, transaction ID, command
/// object, and the remaining arguments.
public struct RTMPCommand: Sendable, Equatable {
    public let name: String
    public let transactionID: Double
    public let object: AMF0Value
    public let arguments: [AMF0Value]

    /// Parses a command payload (type 20, or type 17 after its leading format byte).
    public init(payload: ByteBuffer) throws(RTMPProtocolError) {
        var buffer = payload
        let values: [AMF0Value]
        do {
            values = try buffer.readAMF0Values()
        } catch {
            throw .malformedMessage("command: \(error)")
        }
        guard let name = values.first?.stringValue else { throw .malformedMessage("command without a name") }
        self.name = name
        self.transactionID = values.count > 1 ? (values[1].numberValue ?? 0) : 0
        self.object = values.count > 2 ? values[2] : .null
        self.arguments = values.count > 3 ? Array(values[3...]) : []
    }

    public init(name: String, transactionID: Double, object: AMF0Value = .null, arguments: [AMF0Value] = []) {
        self.name = name
        self.transactionID = transactionID
        self.object = object
        self.arguments = arguments
    }

    /// The first argument as a string (the stream name of publish and play).
    public var streamNameArgument: String? { arguments.first?.stringValue }
}
