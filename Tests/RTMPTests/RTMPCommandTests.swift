import NIOCore
import Testing

@testable import RTMP

@Suite("RTMPCommand parsing")
struct RTMPCommandTests {
    static func payload(_ values: [AMF0Value]) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeAMF0(values)
        return b
    }

    @Test func connect() throws {
        let object: AMF0Object = [
            "app": .string("live"), "flashVer": .string("FMLE/3.0"), "tcUrl": .string("rtmp://h/live"),
            "objectEncoding": .number(0),
        ]
        let c = try RTMPCommand(payload: Self.payload([.string("connect"), .number(1), .object(object)]))
        #expect(c.name == "connect")
        #expect(c.transactionID == 1)
        #expect(c.object.objectValue?["app"] == .string("live"))
        #expect(c.arguments.isEmpty)
    }

    @Test func publish() throws {
        let c = try RTMPCommand(payload: Self.payload([.string("publish"), .number(5), .null, .string("room?key=k"), .string("live")]))
        #expect(c.name == "publish")
        #expect(c.transactionID == 5)
        #expect(c.object == .null)
        #expect(c.streamNameArgument == "room?key=k")
        #expect(c.arguments == [.string("room?key=k"), .string("live")])
    }

    @Test func play() throws {
        let c = try RTMPCommand(payload: Self.payload([.string("play"), .number(4), .null, .string("room"), .number(-2000)]))
        #expect(c.streamNameArgument == "room")
        #expect(c.arguments.count == 2)
    }

    @Test func shortCommandsDefault() throws {
        let c = try RTMPCommand(payload: Self.payload([.string("deleteStream")]))
        #expect(c.transactionID == 0)
        #expect(c.object == .null)
        #expect(c.arguments.isEmpty)
        #expect(c.streamNameArgument == nil)
        let odd = try RTMPCommand(payload: Self.payload([.string("x"), .string("not a number"), .null, .number(1)]))
        #expect(odd.transactionID == 0)
        #expect(odd.streamNameArgument == nil)
    }

    @Test func amf3CommandAfterFormatByte() throws {
        var b = ByteBuffer(bytes: [0x00])
        b.writeAMF0([.string("play"), .number(2), .null, .string("r")])
        b.moveReaderIndex(forwardBy: 1)
        #expect(try RTMPCommand(payload: b).name == "play")
    }

    @Test(arguments: [
        [UInt8](),  // empty
        [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0],  // a number, no name
        [0x05],  // null
        [0x02, 0x00, 0x07, 0x63, 0x6F, 0x6E],  // truncated name
        [0x02, 0x00, 0x01, 0x61, 0x00, 0x3F],  // truncated transaction ID
        [0x02, 0x00, 0x01, 0x61, 0x07, 0x00, 0x01],  // reference marker
        [0x02, 0x00, 0x01, 0x61, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x01, 0x61],  // object never ends
        [0x02, 0x00, 0x02, 0xC3, 0x28],  // invalid UTF-8
        [0xFF],
    ])
    func malformedThrows(_ bytes: [UInt8]) {
        #expect(throws: RTMPProtocolError.self) { try RTMPCommand(payload: ByteBuffer(bytes: bytes)) }
    }

    @Test func malformedErrorsAreMalformedMessage() {
        do {
            _ = try RTMPCommand(payload: ByteBuffer(bytes: [0x07]))
            Issue.record("expected an error")
        } catch {
            guard case .malformedMessage = error else {
                Issue.record("got \(error)")
                return
            }
        }
    }

    @Test func payloadReaderIndexIsNotConsumed() throws {
        let p = Self.payload([.string("connect"), .number(1)])
        _ = try RTMPCommand(payload: p)
        #expect(p.readerIndex == 0)
    }
}
