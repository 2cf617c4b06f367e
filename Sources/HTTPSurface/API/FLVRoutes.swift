import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayCore

/// HTTP-FLV (`GET /flv/live/<classId>[_<rendition>].flv?key=<site key>`): the stream's FLV tags
/// over chunked HTTP for set-top boxes, ffplay, VLC and flv.js, starting at the cached keyframe
/// after the metadata and sequence headers. Access as for RTMP; the tag bodies are the relay's
/// shared payloads, and the 11-byte header and 4-byte trailer are framed once per stream
/// (``MediaMessage/flvFraming``), so a player writes three slices of shared buffers per tag.
///
/// The plain name on a site whose bandwidth is known plays adaptively, as RTMP does: the rung
/// that fits the site first, then switched at keyframes on the player's backlog and throughput
/// (``AdaptivePlayback``). A pinned `_<rendition>` stays on it (the source when that rung is not made).
struct FLVRoutes: Sendable {
    let policy: any AccessPolicy
    let registry: StreamRegistry
    /// The rungs being made (nil: transcoding off).
    let renditions: RenditionDirectory?
    /// The site's bandwidth where its grant gives none, and how rungs are chosen (`player.*`).
    var defaultBandwidthKbps: Int?
    var selection = RenditionSelector.Configuration()
    /// A player that gets nothing for this long (no lesson yet, publisher gone) is ended; it may reconnect.
    var idleTimeout: Duration = .seconds(30)

    func add(to router: Router<RelayRequestContext>) {
        router.get("flv/live/:file") { request, context in try await play(request, context) }
    }

    private func play(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let file = try context.parameters.require("file")
        guard file.hasSuffix(".flv"), file.count > 4 else { throw APIError.notFound("stream '\(file)'") }
        let (base, rendition) = Rendition.split(name: String(file.dropLast(4)), ladder: renditions?.ladderNames ?? [])
        let source = StreamKey(app: "live", name: base)
        let (grant, access) = try await PlayAccess.authorize(.flv, stream: source, request: request, context: context, policy: policy)
        let bandwidth = grant.bandwidthKbps ?? defaultBandwidthKbps
        // A pinned rung the source cannot feed plays the source.
        let key = renditions?.playedKey(source: source, rendition: rendition ?? "source") ?? source
        let played = key == source ? "source" : rendition ?? "source"
        let viewer = FLVViewer(schoolId: grant.schoolId, rendition: played)
        let playing: FLVPlaying
        if rendition == nil, let renditions, !renditions.ladderNames.isEmpty && bandwidth != nil || source.mayCarryProgram {
            let playback = AdaptivePlayback(
                source: source, outlet: AdaptiveFLVViewer(viewer: viewer, eventLoop: context.eventLoop), registry: registry,
                directory: renditions, bandwidthKbps: bandwidth, configuration: selection, logger: context.logger
            )
            try await context.eventLoop.submit { playback.start() }.get()
            playing = .adaptive(playback)
        } else {
            playing = .single(registry.attachSubscriber(viewer, to: key))
        }
        let registry = self.registry
        let idleTimeout = self.idleTimeout
        let logger = context.logger
        logger.info(
            "flv play started",
            metadata: [
                "request": "\(access)", "rendition": "\(played)", "adaptive": "\(playing.isAdaptive)", "bandwidthKbps": "\(bandwidth ?? 0)",
            ])
        var headers = HTTPFields()
        headers[.contentType] = "video/x-flv"
        headers[.cacheControl] = "no-cache"
        headers[.accessControlAllowOrigin] = "*"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer {
                    viewer.close()
                    switch playing {
                    case .single(let stream): registry.detachSubscriber(viewer, from: stream)
                    case .adaptive(let playback): playback.outlet.eventLoop.execute { playback.stop() }
                    }
                }
                try await writer.write(FLVTag.fileHeader())
                var idleSince = ContinuousClock.now
                var reason = "the player left"
                loop: while let items = await viewer.next(timeout: .seconds(1)) {
                    if items.isEmpty {
                        if ContinuousClock.now - idleSince > idleTimeout {
                            reason = "no media for \(idleTimeout)"
                            break
                        }
                        continue
                    }
                    idleSince = ContinuousClock.now
                    for item in items {
                        switch item {
                        case .media(let message):
                            // Framed once by the stream (slices of one shared buffer); messages from
                            // before the first FLV player (the cached GOP) are framed here.
                            let framing = message.flvFraming ?? FLVTag.framing(for: message)
                            try await writer.write(framing.getSlice(at: framing.readerIndex, length: 11)!)
                            try await writer.write(message.payload)
                            try await writer.write(framing.getSlice(at: framing.readerIndex + 11, length: 4)!)
                            viewer.countSent(15 + message.payload.readableBytes)
                        case .event(.ended(let why)):
                            reason = "the stream ended: \(why)"
                            break loop
                        case .event:
                            continue
                        }
                    }
                }
                logger.info("flv play ended", metadata: ["stream": "\(source)", "reason": "\(reason)"])
                try await writer.finish(nil)
            })
    }
}

/// What an HTTP-FLV response plays: one stream, or the rungs an adaptive playback chooses.
private enum FLVPlaying: Sendable {
    case single(LiveStream)
    case adaptive(AdaptivePlayback<AdaptiveFLVViewer>)

    var isAdaptive: Bool {
        if case .adaptive = self { return true }
        return false
    }
}
