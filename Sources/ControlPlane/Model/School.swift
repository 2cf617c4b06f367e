import Foundation

/// A school as stored: its key only as a hash.
public struct School: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: SchoolRole
    /// A site's per-classroom downlink (班均出口带宽), kbit/s.
    public var bandwidthKbps: Int?
    public var region: String?
    /// SHA-256 of the key, hex. Never serialized to clients.
    public var keyHash: String

    enum CodingKeys: String, CodingKey {
        case id, name, role, bandwidthKbps, region
    }

    public init(id: String, name: String, role: SchoolRole, bandwidthKbps: Int?, region: String?, keyHash: String) {
        self.id = id
        self.name = name
        self.role = role
        self.bandwidthKbps = bandwidthKbps
        self.region = region
        self.keyHash = keyHash
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        role = try c.decode(SchoolRole.self, forKey: .role)
        bandwidthKbps = try c.decodeIfPresent(Int.self, forKey: .bandwidthKbps)
        region = try c.decodeIfPresent(String.self, forKey: .region)
        keyHash = ""
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(bandwidthKbps, forKey: .bandwidthKbps)
        try c.encodeIfPresent(region, forKey: .region)
    }
}

public struct Pairing: Codable, Sendable, Equatable {
    public var id: String
    public var centralSchoolId: String
    public var siteId: String
    public var program: Program

    public init(id: String, centralSchoolId: String, siteId: String, program: Program) {
        self.id = id
        self.centralSchoolId = centralSchoolId
        self.siteId = siteId
        self.program = program
    }
}
