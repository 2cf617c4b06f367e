import ControlPlane
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayCore

/// HLS (`GET /hls/live/<classId>/index.m3u8?key=<site key>`): the multivariant playlist of the
/// ladder and the source, then per variant `<variant>/index.m3u8`, `init-<n>.mp4` and `<n>.m4s`
/// (fMP4), all served from memory by the ``HLSHost``. The key is checked at the multivariant
/// playlist with the same access rules as the other protocols; every URI after it carries a
/// short-lived opaque token (`?t=`) instead, so the key is not repeated in access logs. Media
/// playlists are low-latency HLS as well: parts `<n>.<i>.m4s`, blocking reloads with
/// `_HLS_msn`/`_HLS_part`, a preload hint whose part is answered as soon as it is cut.
struct HLSRoutes: Sendable {
    let host: any HLSHost
    let policy: any AccessPolicy
    let tokens: HLSTokens

    func add(to router: Router<RelayRequestContext>) {
        router.get("hls/live/:classId/index.m3u8") { request, context in try await multivariant(request, context) }
        router.get("hls/live/:classId/:variant/:file") { request, context in try await variantFile(request, context) }
    }

    private func multivariant(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let source = StreamKey(app: "live", name: try context.parameters.require("classId"))
        let (grant, access) = try await PlayAccess.authorize(.hls, stream: source, request: request, context: context, policy: policy)
        let client = tokens.issue(for: source, grant: grant, listsPartsAsSegments: Self.isChromiumsOwnPlayer(request.headers))
        guard let playlist = await host.multivariantPlaylist(for: source, query: "t=\(client.id)", client: client) else {
            throw APIError.notFound("live stream '\(source.name)' (the lesson is not being published)")
        }
        context.logger.info("hls play started", metadata: ["request": "\(access)"])
        return Self.playlist(playlist)
    }

    private func variantFile(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let source = StreamKey(app: "live", name: try context.parameters.require("classId"))
        let variant = try context.parameters.require("variant")
        let file = try context.parameters.require("file")
        let token = request.uri.queryParameters.get("t").map { String($0) }
        guard let client = tokens.client(token: token, for: source) else {
            throw APIError(.forbidden, "forbidden", "no valid HLS token: fetch the class's index.m3u8 with a site key first")
        }
        if file == "index.m3u8" {
            // A blocking reload (low-latency HLS): wait until the playlist has that segment or part.
            let query = request.uri.queryParameters
            let wanted = query.get("_HLS_msn").flatMap { Int(String($0)) }.map {
                HLSPosition(mediaSequence: $0, part: query.get("_HLS_part").flatMap { Int(String($0)) })
            }
            guard
                let playlist = await host.mediaPlaylist(
                    for: source, variant: variant, query: "t=\(client.id)", blockingUntil: wanted, client: client
                )
            else {
                throw APIError.notFound("HLS variant '\(variant)' of '\(source.name)'")
            }
            return Self.playlist(playlist)
        }
        if file.hasPrefix("init-"), file.hasSuffix(".mp4"), let number = Int(file.dropFirst(5).dropLast(4)),
            let bytes = host.initSection(for: source, variant: variant, number: number, client: client)
        {
            return Self.media(bytes, type: "video/mp4")
        }
        if file.hasSuffix(".m4s"), case let numbers = file.dropLast(4).split(separator: "."), numbers.count == 2,
            let sequence = Int(numbers[0]), let index = Int(numbers[1]),
            let bytes = await host.part(for: source, variant: variant, sequence: sequence, index: index, client: client)
        {
            return Self.media(bytes, type: "video/iso.segment")
        }
        if file.hasSuffix(".m4s"), let sequence = Int(file.dropLast(4)),
            let bytes = host.segment(for: source, variant: variant, sequence: sequence, client: client)
        {
            return Self.media(bytes, type: "video/iso.segment")
        }
        throw APIError.notFound("HLS file '\(variant)/\(file)' of '\(source.name)' (gone from the window, or never there)")
    }

    /// Chromium's own HLS player (a media element's fetch, `Sec-Fetch-Dest: video` or `audio`, from
    /// a Chromium browser) fetches whole segments only and starts three from a live playlist's
    /// end; its media playlists list parts as segments (``HLSClient/listsPartsAsSegments``).
    /// hls.js (`Sec-Fetch-Dest: empty`), Safari, ffmpeg and set-top boxes get the standard ones.
    static func isChromiumsOwnPlayer(_ headers: HTTPFields) -> Bool {
        guard let dest = HTTPField.Name("Sec-Fetch-Dest").flatMap({ headers[$0] }), dest == "video" || dest == "audio" else { return false }
        return headers[.userAgent]?.contains("Chrome/") ?? false
    }

    private static func playlist(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.apple.mpegurl"
        headers[.cacheControl] = "no-cache"
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func media(_ bytes: ByteBuffer, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=60"
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
