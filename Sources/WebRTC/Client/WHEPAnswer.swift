/// What a WHEP client needs from the server's answer: its ICE credentials, its certificate's
/// fingerprint, the first UDP host candidate, and the payload types it chose.
struct WHEPAnswer {
    let ufrag: String
    let password: String
    let fingerprint: SDPFingerprint
    let candidateHost: String
    let candidatePort: Int
    let videoPayloadTypes: Set<UInt8>
    let audioPayloadTypes: Set<UInt8>

    init(_ text: String) throws(WHEPClientError) {
        let description: SessionDescription
        do {
            description = try SessionDescription.parse(text)
        } catch {
            throw .unusableAnswer("\(error)")
        }
        let transports = [description.transport] + description.media.map(\.transport)
        guard let ufrag = transports.lazy.compactMap(\.iceUfrag).first, let password = transports.lazy.compactMap(\.icePwd).first else {
            throw .unusableAnswer("no a=ice-ufrag / a=ice-pwd")
        }
        guard let fingerprint = transports.lazy.flatMap(\.fingerprints).first(where: { $0.hashAlgorithm != nil }) else {
            throw .unusableAnswer("no a=fingerprint with a hash function we check")
        }
        guard let candidate = description.media.lazy.flatMap(\.candidates).compactMap(Self.udpHostCandidate).first else {
            throw .unusableAnswer("no UDP candidate (a=candidate:... udp ...)")
        }
        self.ufrag = ufrag
        self.password = password
        self.fingerprint = fingerprint
        (candidateHost, candidatePort) = candidate
        videoPayloadTypes = Set(description.media.filter { $0.kind == .video }.flatMap(\.payloadTypes))
        audioPayloadTypes = Set(description.media.filter { $0.kind == .audio }.flatMap(\.payloadTypes))
        guard !videoPayloadTypes.isEmpty else { throw .unusableAnswer("no video m-line with a payload type") }
    }

    /// `foundation component udp priority address port typ host ...` → (address, port).
    static func udpHostCandidate(_ value: String) -> (String, Int)? {
        let fields = value.split(separator: " ")
        guard fields.count >= 6, fields[2].lowercased() == "udp", let port = Int(fields[5]), (1...65_535).contains(port) else { return nil }
        return (String(fields[4]), port)
    }
}
