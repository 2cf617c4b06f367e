/// `limits:`: each key of `RelaydConfiguration.Limits` with the range it may take.
struct LimitsSection: Decodable {
    typealias Limits = RelaydConfiguration.Limits

    static var fields: [(key: String, field: WritableKeyPath<Limits, Int>, range: ClosedRange<Int>)] {
        [
            ("maxConnections", \.maxConnections, 1...1_000_000),
            ("maxConnectionsPerIP", \.maxConnectionsPerIP, 1...1_000_000),
            ("maxStreams", \.maxStreams, 1...100_000),
            ("maxMessageBytes", \.maxMessageBytes, 65_536...0xFF_FFFF + 1),
            ("maxRequestBodyBytes", \.maxRequestBodyBytes, 1024...(16 << 20)),
            ("authFailuresPerMinute", \.authFailuresPerMinute, 1...100_000),
            ("authLockoutSeconds", \.authLockoutSeconds, 1...86_400),
            ("maxWebRTCSessions", \.maxWebRTCSessions, 1...100_000),
            ("maxUnconnectedWebRTCPerKey", \.maxUnconnectedWebRTCPerKey, 1...100_000),
            ("maxUnconnectedWebRTCPerIP", \.maxUnconnectedWebRTCPerIP, 1...100_000),
            ("webrtcOffersPerSecondPerIP", \.webrtcOffersPerSecondPerIP, 1...100_000),
        ]
    }

    var values: [String: Int] = [:]

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: Self.fields.map(\.key))
        for (key, _, range) in Self.fields {
            values[key] = try s.int(key, in: range)
        }
    }

    /// Sets the values given; per IP follows a lowered total unless given, and may not exceed it.
    func apply(to limits: inout Limits) throws(ConfigurationError) {
        for (key, field, _) in Self.fields {
            if let value = values[key] { limits[keyPath: field] = value }
        }
        if values["maxConnectionsPerIP"] == nil { limits.maxConnectionsPerIP = min(limits.maxConnectionsPerIP, limits.maxConnections) }
        guard limits.maxConnectionsPerIP <= limits.maxConnections else {
            throw ConfigurationError(
                key: "limits.maxConnectionsPerIP",
                problem: "must not exceed limits.maxConnections (\(limits.maxConnections)), got \(limits.maxConnectionsPerIP)"
            )
        }
    }
}
