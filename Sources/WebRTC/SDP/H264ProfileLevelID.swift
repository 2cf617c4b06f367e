/// The H.264 `profile-level-id` fmtp parameter (RFC 6184 8.1): three bytes in hex,
/// profile_idc, profile-iop (constraint flags) and level_idc, e.g. `42e01f`.
struct H264ProfileLevelID: Hashable, Sendable, CustomStringConvertible {
    /// 0x42 baseline, 0x4D main, 0x64 high, 0xF4 high 4:4:4, …
    var profileIDC: UInt8
    var profileIOP: UInt8
    /// Level times ten (0x1F = 31 = level 3.1).
    var levelIDC: UInt8

    static let baseline: UInt8 = 0x42
    static let main: UInt8 = 0x4D
    static let high: UInt8 = 0x64

    init(profileIDC: UInt8, profileIOP: UInt8, levelIDC: UInt8) {
        self.profileIDC = profileIDC
        self.profileIOP = profileIOP
        self.levelIDC = levelIDC
    }

    /// Parses six hex digits; nil for anything else.
    init?(hex: String) {
        guard hex.utf8.count == 6, let value = SDPText.hexadecimal(hex[...], as: UInt32.self) else { return nil }
        profileIDC = UInt8(truncatingIfNeeded: value >> 16)
        profileIOP = UInt8(truncatingIfNeeded: value >> 8)
        levelIDC = UInt8(truncatingIfNeeded: value)
    }

    var description: String {
        [profileIDC, profileIOP, levelIDC].map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
