import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore

/// WHEP (draft-ietf-wish-whep) on the HTTP port: `POST /whep/live/<classId>[_<rendition>]` with an
/// SDP offer and the site's key (Bearer or `?key=`), `DELETE`/`PATCH /whep/sessions/<id>`, CORS;
/// and WHIP (RFC 9725) the same way: `POST /whip/live/<classId>` with the central school's key
/// (or `<classId>~<siteId>` with the site's), `DELETE`/`PATCH /whip/sessions/<id>`.
/// Access goes through the same ``AccessPolicy`` as RTMP and SRT; the media server does the rest.
struct WHEPRoutes: Sendable {
    let host: any WebRTCPlaybackHost
    let policy: any AccessPolicy
    let ladder: Set<String>
    let maxOfferBytes = 64 * 1024

    func add(to router: Router<RelayRequestContext>) {
        for (path, action) in [("whep", AccessRequest.Action.play), ("whip", .publish)] {
            let group = router.group(RouterPath(path)).add(middleware: CORSMiddleware())
            group.on("live/:name", method: .options) { _, _ in Response(status: .noContent) }
            group.on("sessions/:id", method: .options) { _, _ in Response(status: .noContent) }
            group.post("live/:name") { request, context in try await offer(request, context, action: action) }
            group.delete("sessions/:id") { _, context in
                guard await host.endSession(id: try context.parameters.require("id")) else { throw APIError.notFound("session") }
                return Response(status: .ok)
            }
            group.patch("sessions/:id") { _, context in
                // ICE-lite with every candidate in the answer: trickled candidates change nothing.
                guard await host.hasSession(id: try context.parameters.require("id")) else { throw APIError.notFound("session") }
                return Response(status: .noContent)
            }
        }
    }

    private func offer(_ request: Request, _ context: RelayRequestContext, action: AccessRequest.Action) async throws -> Response {
        let name = try context.parameters.require("name")
        // A publisher names the stream itself; a player may pin a rendition.
        let (base, rendition) = action == .publish ? (name, nil) : Rendition.split(name: name, ladder: ladder)
        let stream = StreamKey(app: "live", name: base)
        let (grant, access) = try await PlayAccess.authorize(
            .webrtc, stream: stream, request: request, context: context, policy: policy, action: action
        )
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/sdp") == true else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "the offer must be sent as application/sdp")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxOfferBytes)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the offer is larger than \(maxOfferBytes) bytes")
        }
        let answer: WebRTCAnswer
        do {
            let offer = WebRTCPlaybackRequest(
                stream: stream, rendition: rendition, offer: String(buffer: body), grant: grant, remoteAddress: access.remoteAddress
            )
            answer = action == .publish ? try await host.startIngest(offer) : try await host.startPlayback(offer)
        } catch let error as WebRTCOfferError {
            // Refusals at a limit are logged by the media server, at most once a second.
            if error.code == .badOffer || error.code == .unavailable {
                context.logger.notice("webrtc offer refused", metadata: ["request": "\(access)", "reason": "\(error.message)"])
            }
            throw APIError(error.httpStatus, error.code.rawValue, error.message, retryAfter: error.retryAfter)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/sdp"
        headers[.location] = "/\(action == .publish ? "whip" : "whep")/sessions/\(answer.sessionID)"
        headers[.eTag] = "\"\(answer.sessionID)\""
        return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.sdp)))
    }
}

/// CORS for WHEP and WHIP, on every answer including errors, so a school portal on another
/// origin can embed a player: any origin, the methods and headers a WHEP client uses, and the
/// `Location`/`ETag` headers exposed.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as ControlPlaneError {
            response = try APIError(error).response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlAllowMethods] = "POST, DELETE, PATCH, OPTIONS"
        response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-Match"
        response.headers[.accessControlExposeHeaders] = "Location, ETag"
        return response
    }
}
