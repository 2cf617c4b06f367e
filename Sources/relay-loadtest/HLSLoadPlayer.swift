import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RelayCore

/// `http://host:port/.../index.m3u8?...` (a multivariant playlist) split for ``HLSLoadPlayer``.
struct HLSURL {
    let host: String
    let port: Int
    /// Path and query of the multivariant playlist.
    let target: String

    init?(_ text: String) {
        guard let components = URLComponents(string: text), components.scheme == "http", let host = components.host,
            components.path.hasSuffix(".m3u8")
        else { return nil }
        self.host = host
        port = components.port ?? 80
        target = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}

/// One HLS client on its own thread, as a set-top box plays: the multivariant playlist once, then
/// its `variant`'s media playlist every half target duration, each new segment (and init
/// section) fetched once. Counts bytes, requests, the time to the first segment and stalls (no
/// new segment for three target durations).
final class HLSLoadPlayer: @unchecked Sendable {
    private let url: HLSURL
    private let variant: String?
    private let startedAt: UInt64
    private let state = NIOLockedValueBox(PlayerSnapshot())
    private let stopping = NIOLockedValueBox(false)
    private var thread: OwnedThread?

    init(url: HLSURL, variant: String?, startedAt: UInt64) {
        self.url = url
        self.variant = variant
        self.startedAt = startedAt
    }

    func start() {
        do {
            thread = try OwnedThread(name: "hls-player") { [self] in run() }
        } catch {
            state.withLockedValue { $0.failure = "\(error)" }
        }
    }

    /// Stops and joins the player's thread (it finishes its current request first).
    func stop() {
        stopping.withLockedValue { $0 = true }
        thread?.join()
        thread = nil
    }

    func snapshot() -> PlayerSnapshot { state.withLockedValue { $0 } }

    private func get(_ target: String) throws -> (status: Int, body: [UInt8]) {
        let response = try HTTPRequest.fetch(host: url.host, port: url.port, path: target)
        state.withLockedValue { $0.requests += 1 }
        return response
    }

    private func run() {
        do {
            let master = try get(url.target)
            guard master.status == 200 else { throw LoadTestError("multivariant playlist: HTTP \(master.status)") }
            let uris = Self.uris(String(decoding: master.body, as: UTF8.self))
            guard let chosen = uris.first(where: { variant == nil || $0.hasPrefix(variant! + "/") }) else {
                throw LoadTestError("no variant \(variant ?? "") in the multivariant playlist")
            }
            let directory =
                String(url.target.split(separator: "?")[0].split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
                + "/"
            let playlistTarget = directory + chosen
            let variantDirectory = directory + (chosen.split(separator: "/").dropLast().joined(separator: "/")) + "/"
            var lastSequence = -1
            var map: String?
            var lastNewSegment = NIODeadline.now()
            var stalled = false
            while !stopping.withLockedValue({ $0 }) {
                let playlist = try get(playlistTarget)
                guard playlist.status == 200 else { throw LoadTestError("media playlist: HTTP \(playlist.status)") }
                let parsed = Self.mediaPlaylist(String(decoding: playlist.body, as: UTF8.self))
                for segment in parsed.segments where segment.sequence > lastSequence {
                    if segment.map != map, let uri = segment.map {
                        let section = try get(variantDirectory + uri)
                        state.withLockedValue { $0.bytes += section.body.count }
                        map = uri
                    }
                    let fetched = try get(variantDirectory + segment.uri)
                    guard fetched.status == 200 else { continue }  // it left the window meanwhile
                    lastSequence = segment.sequence
                    lastNewSegment = NIODeadline.now()
                    stalled = false
                    state.withLockedValue { state in
                        state.bytes += fetched.body.count
                        state.mediaMessages += 1
                        state.connected = true
                        if state.firstKeyframeNanos == nil { state.firstKeyframeNanos = NIODeadline.now().uptimeNanoseconds - startedAt }
                    }
                }
                let target = max(parsed.targetDuration, 1)
                if !stalled, NIODeadline.now() - lastNewSegment > .milliseconds(Int64(3000 * target)) {
                    stalled = true
                    state.withLockedValue { $0.stalls += 1 }
                }
                Thread.sleep(forTimeInterval: Double(target) / 2)
            }
        } catch {
            state.withLockedValue { $0.failure = "hls: \(error)" }
            state.withLockedValue { $0.disconnected = true }
        }
    }

    static func uris(_ playlist: String) -> [String] {
        playlist.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    struct MediaPlaylist {
        struct Segment {
            let sequence: Int
            let uri: String
            let map: String?
        }
        var targetDuration = 2
        var segments: [Segment] = []
    }

    static func mediaPlaylist(_ text: String) -> MediaPlaylist {
        var result = MediaPlaylist()
        var sequence = 0
        var map: String?
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("#EXT-X-TARGETDURATION:") {
                result.targetDuration = Int(line.dropFirst("#EXT-X-TARGETDURATION:".count)) ?? 2
            } else if line.hasPrefix("#EXT-X-MEDIA-SEQUENCE:") {
                sequence = Int(line.dropFirst("#EXT-X-MEDIA-SEQUENCE:".count)) ?? 0
            } else if line.hasPrefix("#EXT-X-MAP:URI=\"") {
                map = line.dropFirst("#EXT-X-MAP:URI=\"".count).split(separator: "\"").first.map(String.init)
            } else if !line.hasPrefix("#"), !line.isEmpty {
                result.segments.append(.init(sequence: sequence, uri: line, map: map))
                sequence += 1
            }
        }
        return result
    }
}
