/// The value of an ERROR-CODE attribute (RFC 8489 section 14.8): a code in 300...699 and a
/// human-readable reason phrase.
public struct STUNErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let code: Int
    public let reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let badRequest = STUNErrorCode(code: 400, reason: "Bad Request")
    public static let unauthorized = STUNErrorCode(code: 401, reason: "Unauthorized")
    public static let unknownAttribute = STUNErrorCode(code: 420, reason: "Unknown Attribute")
    public static let roleConflict = STUNErrorCode(code: 487, reason: "Role Conflict")
    public static let serverError = STUNErrorCode(code: 500, reason: "Server Error")

    public var description: String { "\(code) \(reason)" }
}
