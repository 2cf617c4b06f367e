import ControlPlane
import Testing

@Suite struct KeyHashTests {
    @Test func knownVectors() {
        #expect(Secrets.keyHash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Secrets.keyHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Secrets.keyHash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        #expect(Secrets.keyHash(String(repeating: "a", count: 1000)).count == 64)
    }

    @Test func constantTimeEquality() {
        #expect(Secrets.constantTimeEquals("abc", "abc"))
        #expect(!Secrets.constantTimeEquals("abc", "abd"))
        #expect(!Secrets.constantTimeEquals("abc", "abcd"))
        #expect(!Secrets.constantTimeEquals("", "a"))
        #expect(Secrets.newKey().count == 40)
        #expect(Secrets.newKey() != Secrets.newKey())
    }
}
