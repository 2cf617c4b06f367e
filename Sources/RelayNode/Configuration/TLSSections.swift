/// `tls:`: the certificate and key (PEM) for HTTPS and RTMPS.
struct TLSSection: Decodable {
    var certFile, keyFile: String?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["certFile", "keyFile"])
        certFile = try s.string("certFile")
        keyFile = try s.string("keyFile")
    }

    func apply(to config: inout RelaydConfiguration) {
        if let certFile { config.tls.certFile = certFile }
        if let keyFile { config.tls.keyFile = keyFile }
    }
}

/// `rtmps:`: the RTMPS listener's port (none without it).
struct RTMPSSection: Decodable {
    var port: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["port"])
        port = try s.port("port")
    }

    func apply(to config: inout RelaydConfiguration) {
        if let port { config.tls.rtmpsPort = port }
    }
}
