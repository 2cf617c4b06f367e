import Foundation
import Logging
import NIOCore
import NIOPosix
import RTMP

/// An RTMP "origin" the test runs, for a forged row in the nodes table to point at: it answers a
/// relay's connect and createStream, records every byte it receives and the name of every play,
/// then refuses the play (NetStream.Play.StreamNotFound) and closes.
final class FakeRTMPOrigin: @unchecked Sendable {
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var received: [UInt8] = []
        private var playNames: [String] = []
        private var connectionCount = 0

        var bytes: [UInt8] { lock.withLock { received } }
        var plays: [String] { lock.withLock { playNames } }
        var connections: Int { lock.withLock { connectionCount } }
        func add(_ buffer: ByteBuffer) { lock.withLock { received += buffer.readableBytesView } }
        func play(_ name: String) { lock.withLock { playNames.append(name) } }
        func connected() { lock.withLock { connectionCount += 1 } }
    }

    /// Records the raw bytes before the handshake handler sees them.
    final class ByteRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let record: Record
        init(_ record: Record) { self.record = record }
        func channelActive(context: ChannelHandlerContext) {
            record.connected()
            context.fireChannelActive()
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            record.add(unwrapInboundIn(data))
            context.fireChannelRead(data)
        }
    }

    final class Commands: ChannelInboundHandler {
        typealias InboundIn = RTMPChunkDecoder.Output
        let record: Record
        let writer = RTMPClientWriter()
        init(_ record: Record) { self.record = record }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .message(let message) = unwrapInboundIn(data), message.type == .amf0Command,
                let command = try? RTMPCommand(payload: message.payload)
            else { return }
            switch command.name {
            case "connect":
                writer.command(
                    [
                        .string("_result"), .number(command.transactionID), .object(["fmsVer": .string("FMS/3,5,7,7009")]),
                        .object(["level": .string("status"), "code": .string("NetConnection.Connect.Success")]),
                    ], context: context)
                context.flush()
            case "createStream":
                writer.command([.string("_result"), .number(command.transactionID), .null, .number(1)], context: context)
                context.flush()
            case "play":
                record.play(command.arguments.first?.stringValue ?? "")
                writer.command(
                    [
                        .string("onStatus"), .number(0), .null,
                        .object(["level": .string("error"), "code": .string("NetStream.Play.StreamNotFound")]),
                    ], streamID: 1, context: context)
                context.writeAndFlush(NIOAny(ByteBuffer()), promise: nil)
                context.close(promise: nil)
            default:
                break
            }
        }
    }

    let record = Record()
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    init() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let record = self.record
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteRecorder(record), RTMPHandshakeHandler(logger: Logger(label: "fake-origin")),
                        ByteToMessageHandler(RTMPChunkDecoder()), Commands(record),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}
