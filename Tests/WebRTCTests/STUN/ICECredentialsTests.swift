import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("ICECredentials")
struct ICECredentialsTests {
    static let iceChars = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    @Test func randomCredentialsAreLongEnoughICEStrings() {
        var seen = Set<String>()
        for _ in 0..<200 {
            let c = ICECredentials.random()
            #expect(c.ufrag.count >= 4)
            #expect(c.password.count >= 22)
            #expect(c.ufrag.allSatisfy(Self.iceChars.contains))
            #expect(c.password.allSatisfy(Self.iceChars.contains))
            #expect(ICECredentials.isICEString(c.ufrag))
            #expect(ICECredentials.isICEString(c.password))
            seen.insert(c.password)
        }
        #expect(seen.count == 200)
    }

    @Test func seededGenerationIsReproducibleAndUsesTheWholeAlphabet() {
        var a = SeededGenerator(seed: 1)
        var b = SeededGenerator(seed: 1)
        #expect(ICECredentials.random(using: &a) == ICECredentials.random(using: &b))
        var generator = SeededGenerator(seed: 2)
        let text = ICECredentials.randomICEString(length: 4000, using: &generator)
        #expect(Set(text) == Self.iceChars)
    }

    @Test func iceStringsAreChecked() {
        #expect(ICECredentials.isICEString("a+/Z09"))
        #expect(!ICECredentials.isICEString(""))
        #expect(!ICECredentials.isICEString("a b"))
        #expect(!ICECredentials.isICEString("ab:c"))
        #expect(!ICECredentials.isICEString("caf\u{E9}"))
        #expect(ICECredentials.isICEString(String(repeating: "a", count: 256)))
        #expect(!ICECredentials.isICEString(String(repeating: "a", count: 257)))
    }

    @Test func usernamesSplitIntoLocalAndRemoteUfrags() throws {
        let u = try #require(ICEUsername(stunUsername: "evtj:h6vY"))
        #expect(u.localUfrag == "evtj")
        #expect(u.remoteUfrag == "h6vY")
        #expect(u.stunUsername == "evtj:h6vY")
        let made = ICEUsername(localUfrag: "relay+/9", remoteUfrag: "brws")
        #expect(ICEUsername(stunUsername: made.stunUsername) == made)
    }

    @Test(arguments: [
        "", ":", "abcd", "abcd:", ":efgh", "ab:cd:ef", "ab cd:efgh", "abcd:ef\u{E9}", "abcd::efgh",
        "abcd:" + String(repeating: "x", count: 257),
    ])
    func malformedUsernamesAreRefused(text: String) {
        #expect(ICEUsername(stunUsername: text) == nil)
    }
}
