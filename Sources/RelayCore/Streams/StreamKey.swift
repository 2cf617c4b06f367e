/// Identifies a live stream: the RTMP application and the stream name, e.g. `live/<classId>`.
public struct StreamKey: Hashable, Sendable, CustomStringConvertible {
    public let app: String
    public let name: String

    public init(app: String, name: String) {
        self.app = app
        self.name = name
    }

    public var description: String { "\(app)/\(name)" }
}
