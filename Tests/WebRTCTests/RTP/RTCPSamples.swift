import NIOCore

/// Hand-built RTCP packets (byte by byte from RFC 3550, 4585, 5104 and the REMB draft).
enum RTCPSamples {
    static let senderReport: [UInt8] =
        [
            0x81, 200, 0, 12,
            0x11, 0x22, 0x33, 0x44,  // sender SSRC
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // NTP
            0x0A, 0x0B, 0x0C, 0x0D,  // RTP timestamp
            0, 0, 0, 100,  // packets
            0, 0, 0x4E, 0x20,  // octets (20000)
        ] + reportBlock

    static let reportBlock: [UInt8] = [
        0x55, 0x66, 0x77, 0x88,  // SSRC
        0x40, 0xFF, 0xFF, 0xFE,  // fraction 64/256, cumulative -2
        0x00, 0x01, 0x00, 0x05,  // extended highest sequence
        0, 0, 0, 33,  // jitter
        0x12, 0x34, 0x56, 0x78,  // LSR
        0x00, 0x01, 0x00, 0x00,  // DLSR (1 s)
    ]

    static let receiverReport: [UInt8] = [0x81, 201, 0, 7, 0xAA, 0xBB, 0xCC, 0xDD] + reportBlock

    static let sourceDescription: [UInt8] = [
        0x81, 202, 0, 3,
        0x11, 0x22, 0x33, 0x44,
        1, 4, 0x74, 0x65, 0x73, 0x74,  // CNAME "test"
        0, 0,  // end of items, padding
    ]

    static let bye: [UInt8] = [0x81, 203, 0, 2, 0x11, 0x22, 0x33, 0x44, 3, 0x62, 0x79, 0x65]

    /// PID 100, BLP bits 0, 2 and 15: lost 100, 101, 103, 116.
    static let nack: [UInt8] = [0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 100, 0x80, 0x05]

    static let transportCC: [UInt8] = [0x8F, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 1, 0, 0, 1, 0, 0x20, 1, 0, 0]

    static let pli: [UInt8] = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]

    static let fir: [UInt8] = [0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0x0A, 0x0B, 0x0C, 0x0D, 7, 0, 0, 0]

    /// 1 Mbit/s (mantissa 250000, exponent 2) for one SSRC.
    static let remb: [UInt8] = [
        0x8F, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0,
        0x52, 0x45, 0x4D, 0x42,  // "REMB"
        0x01, 0x0B, 0xD0, 0x90,  // 1 SSRC, exp 2, mantissa 250000
        0x0A, 0x0B, 0x0C, 0x0D,
    ]

    static let app: [UInt8] = [0x85, 204, 0, 2, 0, 0, 0, 1, 0x6E, 0x61, 0x6D, 0x65]

    static let all: [(name: String, bytes: [UInt8])] = [
        ("SR", senderReport), ("RR", receiverReport), ("SDES", sourceDescription), ("BYE", bye), ("NACK", nack),
        ("TWCC", transportCC), ("PLI", pli), ("FIR", fir), ("REMB", remb), ("APP", app),
    ]
}
