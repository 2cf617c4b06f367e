import NIOCore

@testable import WebRTC

/// Contexts made once for all DTLS tests (certificate generation is the slow part).
enum DTLSTestContexts {
    static let server: DTLSContext = makeContext()
    static let client: DTLSContext = makeContext()

    static func makeContext(srtpProfiles: [SRTPProfile] = DTLSContext.defaultSRTPProfiles) -> DTLSContext {
        do {
            return try DTLSContext(certificate: DTLSCertificate(), srtpProfiles: srtpProfiles)
        } catch {
            fatalError("test DTLS context: \(error)")
        }
    }
}

/// A server and a client transport joined by in-memory queues: `deliver` moves datagrams across
/// (optionally dropping some) and records every datagram and event, at the pair's fake clock `now`.
final class DTLSTestPair {
    /// A monotonic instant no real clock is near (the transports read none).
    static let testNow = NIODeadline.uptimeNanoseconds(5_000_000_000_000)
    /// The time every delivery is made at; tests move it.
    var now = DTLSTestPair.testNow
    let server: DTLSTransport
    let client: DTLSTransport
    private(set) var toServer: [ByteBuffer] = []
    private(set) var toClient: [ByteBuffer] = []
    private(set) var serverEvents: [DTLSTransport.Event] = []
    private(set) var clientEvents: [DTLSTransport.Event] = []
    /// Every datagram either side produced.
    private(set) var sentDatagrams: [ByteBuffer] = []

    init(
        serverContext: DTLSContext = DTLSTestContexts.server,
        clientContext: DTLSContext = DTLSTestContexts.client,
        maximumDatagramSize: Int = 1200,
        serverRetransmissionTimeout: Duration = .seconds(1),
        clientRetransmissionTimeout: Duration = .seconds(1)
    ) throws {
        server = try DTLSTransport(
            context: serverContext,
            role: .server,
            maximumDatagramSize: maximumDatagramSize,
            initialRetransmissionTimeout: serverRetransmissionTimeout
        )
        client = try DTLSTransport(
            context: clientContext,
            role: .client,
            maximumDatagramSize: maximumDatagramSize,
            initialRetransmissionTimeout: clientRetransmissionTimeout
        )
    }

    /// The client's first flight, queued for the server.
    func start() throws {
        queueForServer(try client.start(now: now))
    }

    func queueForServer(_ datagrams: [ByteBuffer]) {
        sentDatagrams += datagrams
        toServer += datagrams
    }

    func queueForClient(_ datagrams: [ByteBuffer]) {
        sentDatagrams += datagrams
        toClient += datagrams
    }

    func record(_ output: DTLSTransport.Output, from role: DTLSRole) {
        switch role {
        case .server:
            serverEvents += output.events
            queueForClient(output.datagrams)
        case .client:
            clientEvents += output.events
            queueForServer(output.datagrams)
        }
    }

    /// Delivers what is queued for the server; returns what was delivered.
    @discardableResult
    func deliverToServer() -> [ByteBuffer] {
        let datagrams = toServer
        toServer = []
        for datagram in datagrams { record(server.handle(datagram: datagram, now: now), from: .server) }
        return datagrams
    }

    /// Delivers what is queued for the client; returns what was delivered.
    @discardableResult
    func deliverToClient() -> [ByteBuffer] {
        let datagrams = toClient
        toClient = []
        for datagram in datagrams { record(client.handle(datagram: datagram, now: now), from: .client) }
        return datagrams
    }

    /// Drops what is queued for the client (a lost flight); returns it.
    @discardableResult
    func dropToClient() -> [ByteBuffer] {
        defer { toClient = [] }
        return toClient
    }

    /// Drops what is queued for the server (a lost flight); returns it.
    @discardableResult
    func dropToServer() -> [ByteBuffer] {
        defer { toServer = [] }
        return toServer
    }

    /// Shuttles datagrams both ways until none are in flight (at most `rounds` round trips).
    func run(rounds: Int = 20) {
        for _ in 0..<rounds where !toServer.isEmpty || !toClient.isEmpty {
            deliverToServer()
            deliverToClient()
        }
    }

    /// Starts and completes a handshake.
    func handshake() throws {
        try start()
        run()
    }

    static func keys(in events: [DTLSTransport.Event]) -> [SRTPKeyingMaterial] {
        events.compactMap { event in
            if case .handshakeCompleted(let keys) = event { return keys }
            return nil
        }
    }

    static func failures(in events: [DTLSTransport.Event]) -> [DTLSError] {
        events.compactMap { event in
            if case .failed(let error) = event { return error }
            return nil
        }
    }

    static func closeNotifies(in events: [DTLSTransport.Event]) -> Int {
        events.filter { if case .closeNotifyReceived = $0 { true } else { false } }.count
    }
}

/// RTP and RTCP packets for the SRTP tests.
enum SRTPTestPackets {
    /// An RTP packet: V=2, PT 96, the given sequence number, timestamp and SSRC, and a payload.
    static func rtp(sequenceNumber: UInt16, ssrc: UInt32 = 0x1234_5678, payloadSize: Int = 200) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x80))
        buffer.writeInteger(UInt8(96))
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(UInt32(sequenceNumber) &* 3000)
        buffer.writeInteger(ssrc)
        buffer.writeBytes((0..<payloadSize).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        return buffer
    }

    /// An RTCP receiver report with one report block (32 bytes).
    static func receiverReport(ssrc: UInt32 = 0x0BAD_CAFE, mediaSSRC: UInt32 = 0x1234_5678) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x81))  // V=2, one report block
        buffer.writeInteger(UInt8(201))  // RR
        buffer.writeInteger(UInt16(7))  // length in 32-bit words minus one
        buffer.writeInteger(ssrc)
        buffer.writeInteger(mediaSSRC)
        buffer.writeInteger(UInt32(0))  // fraction lost, cumulative lost
        buffer.writeInteger(UInt32(1000))  // highest sequence number
        buffer.writeInteger(UInt32(5))  // jitter
        buffer.writeInteger(UInt32(0))  // LSR
        buffer.writeInteger(UInt32(0))  // DLSR
        return buffer
    }
}
