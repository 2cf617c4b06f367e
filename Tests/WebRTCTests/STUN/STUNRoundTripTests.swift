import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("STUN round trip")
struct STUNRoundTripTests {
    static let relayPassword = "relayPasswordOf24Chars++"
    static let browserCredentials = ICECredentials(ufrag: "brws", password: "browserPasswordOf24Char")

    static let mappedAddresses: [String] = ["192.0.2.1:32853", "203.0.113.77:1", "[2001:db8::1]:65535", "[::ffff:10.0.0.1]:5000"]

    static func socketAddress(_ text: String) throws -> SocketAddress {
        if text.hasPrefix("[") {
            let close = try #require(text.firstIndex(of: "]"))
            let host = String(text[text.index(after: text.startIndex)..<close])
            let port = try #require(Int(text[text.index(close, offsetBy: 2)...]))
            return try SocketAddress(ipAddress: host, port: port)
        }
        let colon = try #require(text.lastIndex(of: ":"))
        return try SocketAddress(ipAddress: String(text[..<colon]), port: try #require(Int(text[text.index(after: colon)...])))
    }

    @Test(arguments: mappedAddresses)
    func requestThenSuccessResponse(mapped: String) throws {
        let address = try Self.socketAddress(mapped)
        let id = STUNTransactionID.random()
        let request = STUNMessage.bindingRequest(
            transactionID: id, username: "relayUfrag:brws", password: Self.relayPassword,
            priority: 0x6E00_01FF, useCandidate: true, iceControlling: 0x0123_4567_89AB_CDEF
        )
        let decoded = try STUNMessage(decoding: request)
        #expect(decoded.isBindingRequest)
        #expect(decoded.transactionID == id)
        #expect(decoded.username == "relayUfrag:brws")
        #expect(decoded.priority == 0x6E00_01FF)
        #expect(decoded.useCandidate)
        #expect(decoded.iceControlling == 0x0123_4567_89AB_CDEF)
        #expect(decoded.iceControlled == nil)
        #expect(decoded.unknownAttributes.isEmpty)
        #expect(decoded.validatesIntegrity(password: Self.relayPassword))
        #expect(!decoded.validatesIntegrity(password: Self.browserCredentials.password))
        #expect(decoded.hasValidFingerprint)
        #expect(PacketDemultiplexer.classify(request) == .stun)

        let response = STUNMessage.bindingSuccessResponse(
            transactionID: decoded.transactionID, mappedAddress: address, password: Self.relayPassword
        )
        let back = try STUNMessage(decoding: response)
        #expect(back.isBindingSuccess)
        #expect(back.transactionID == id)
        #expect(back.xorMappedAddress == address)
        #expect(back.mappedAddress == nil)
        #expect(back.validatesIntegrity(password: Self.relayPassword))
        #expect(back.hasValidFingerprint)
        Self.expectWellFormed(response)
    }

    @Test func requestWithoutNominationHasNoUseCandidate() throws {
        let request = STUNMessage.bindingRequest(
            transactionID: .random(), username: "a1b2:c3d4", password: "p", priority: 1, iceControlling: 7
        )
        let decoded = try STUNMessage(decoding: request)
        #expect(!decoded.useCandidate)
        #expect(decoded.iceControlling == 7)
        Self.expectWellFormed(request)
    }

    @Test(arguments: [(487, "Role Conflict"), (400, "Bad Request"), (401, "Unauthorized"), (699, ""), (300, "Try Alternate")])
    func errorResponses(code: Int, reason: String) throws {
        let id = STUNTransactionID.random()
        let signed = try STUNMessage(
            decoding: STUNMessage.bindingErrorResponse(
                transactionID: id, code: code, reason: reason, password: Self.relayPassword
            ))
        #expect(signed.isBindingError)
        #expect(signed.transactionID == id)
        #expect(signed.errorCode == STUNErrorCode(code: code, reason: reason))
        #expect(signed.validatesIntegrity(password: Self.relayPassword))
        #expect(signed.hasValidFingerprint)

        let unsigned = try STUNMessage(decoding: STUNMessage.bindingErrorResponse(transactionID: id, code: code, reason: reason))
        #expect(unsigned.errorCode?.code == code)
        #expect(!unsigned.hasMessageIntegrity)
        #expect(!unsigned.validatesIntegrity(password: Self.relayPassword))
        #expect(unsigned.hasValidFingerprint)
    }

    @Test func unixSocketAddressIsLeftOut() throws {
        let address = try SocketAddress(unixDomainSocketPath: "/tmp/x.sock")
        let m = try STUNMessage(
            decoding: STUNMessage.bindingSuccessResponse(
                transactionID: .random(), mappedAddress: address, password: "pw"
            ))
        #expect(m.xorMappedAddress == nil)
        #expect(m.validatesIntegrity(password: "pw"))
    }

    @Test func messageTypesInterleaveTheClassBits() {
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMessageType.bindingSuccessResponse.rawValue == 0x0101)
        #expect(STUNMessageType.bindingErrorResponse.rawValue == 0x0111)
        for method: UInt16 in [0x001, 0x003, 0x07F, 0x080, 0xABC, 0xFFF] {
            for messageClass in [STUNMessageClass.request, .indication, .successResponse, .errorResponse] {
                let type = STUNMessageType(method: method, messageClass: messageClass)
                #expect(type.method == method)
                #expect(type.messageClass == messageClass)
                #expect(type.rawValue & 0xC000 == 0)
            }
        }
    }

    @Test func transactionIDsRoundTripTheirBytes() throws {
        var generator = SeededGenerator(seed: 5769)
        for _ in 0..<100 {
            let id = STUNTransactionID.random(using: &generator)
            #expect(STUNTransactionID(bytes: id.bytes) == id)
            #expect(id.bytes.count == 12)
        }
        #expect(STUNTransactionID(bytes: [1, 2, 3]) == nil)
        #expect(STUNTransactionID(bytes: RFC5769Vectors.transactionID)?.description == "b7e7a701bc34d686fa87dfae")
        #expect(STUNTransactionID.random() != STUNTransactionID.random())
    }

    /// The length field covers the attributes, everything is 4-byte aligned, FINGERPRINT is
    /// the last 8 bytes and MESSAGE-INTEGRITY (when present) the 24 before it.
    static func expectWellFormed(_ buffer: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(buffer.readableBytesView)
        #expect(bytes.count % 4 == 0, sourceLocation: sourceLocation)
        #expect(Int(bytes[2]) << 8 | Int(bytes[3]) == bytes.count - 20, sourceLocation: sourceLocation)
        #expect(Array(bytes[(bytes.count - 8)..<(bytes.count - 4)]) == [0x80, 0x28, 0x00, 0x04], sourceLocation: sourceLocation)
    }
}
