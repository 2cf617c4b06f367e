import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import Recording
import RelayAPIModels
import RelayCore

/// Recordings: the catalogue under `/api/v1/recordings` (admin), the file itself with byte ranges
/// (`GET /recordings/<id>.mp4`, read from disk in chunks, never whole into memory), an HLS VOD
/// playlist of byte ranges of the same file (`GET /recordings/<id>/index.m3u8`), and the replay
/// page (`GET /replay/<id>`). Media and page routes take the admin token or a key of a school of
/// the recording's class (``RecordingAccess``).
struct RecordingRoutes: Sendable {
    let recordings: RecordingService
    let access: RecordingAccess
    let template: MustacheTemplate

    init(recordings: RecordingService, access: RecordingAccess) throws {
        self.recordings = recordings
        self.access = access
        template = try PageTemplates.load("replay")
    }

    func addCatalogue(to api: RouterGroup<RelayRequestContext>) {
        let recordings = self.recordings
        api.get("recordings") { request, _ in
            let query = request.uri.queryParameters
            let from = try query.get("from").map { try Validation.parseTime(String($0), field: "from") }
            let to = try query.get("to").map { try Validation.parseTime(String($0), field: "to") }
            let classId = query.get("classId").map { String($0) }
            return try json(try await recordings.recordings(classId: classId, from: from, to: to).map(RelayAPI.Recording.init))
        }
        api.get("recordings/:id") { _, context in
            try json(RelayAPI.Recording(try await recordings.recording(try context.parameters.require("id"))))
        }
        api.delete("recordings/:id") { _, context in
            try await recordings.delete(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
    }

    func addMedia(to router: Router<RelayRequestContext>) {
        // One parameter name at this level (Hummingbird): `<id>.mp4` for the file, `<id>` for the playlist.
        router.get("recordings/:recording") { request, context in try await file(request, context) }
        router.get("recordings/:recording/index.m3u8") { request, context in try await playlist(request, context) }
        router.get("replay/:id") { request, context in try await page(request, context) }
    }

    private func file(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let name = try context.parameters.require("recording")
        guard name.hasSuffix(".mp4") else { throw APIError.notFound("recording file '\(name)'") }
        let (recording, path) = try await recordings.media(String(name.dropLast(4)))
        try await access.check(recording, request: request, context: context)
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.intValue
        else { throw APIError.notFound("the file of recording '\(recording.id)'") }
        let modified = Int((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        let etag = "\"\(recording.id)-\(size)-\(modified)\""
        var range = ByteRange(header: request.headers[.range], size: size)
        if let condition = request.headers[.ifRange], condition != etag { range = .whole }
        var headers = HTTPFields()
        headers[.contentType] = "video/mp4"
        headers[.acceptRanges] = "bytes"
        headers[.eTag] = etag
        headers[.cacheControl] = recording.state == .recording ? "no-cache" : "private, max-age=3600"
        headers[.accessControlAllowOrigin] = "*"
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            headers[.contentLength] = "\(size)"
            guard size > 0 else { return Response(status: .ok, headers: headers) }
            return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: path, range: 0...(size - 1), context: context))
        case .part(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            headers[.contentLength] = "\(bytes.count)"
            return Response(status: .partialContent, headers: headers, body: try await FileIO().loadFile(path: path, range: bytes, context: context))
        }
    }

    private func playlist(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let (recording, path) = try await recordings.media(try context.parameters.require("recording"))
        try await access.check(recording, request: request, context: context)
        guard let path else { throw APIError.notFound("the file of recording '\(recording.id)'") }
        let index = RecordingFiles.index(path)
        guard index.initLength > 0 else { throw APIError.notFound("media of recording '\(recording.id)' (nothing written yet)") }
        // Relative to /recordings/<id>/index.m3u8: the one file, with a token instead of the key.
        let uri = "../\(recording.id).mp4?t=\(access.token(for: recording.id))"
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.apple.mpegurl"
        headers[.cacheControl] = "no-cache"
        headers[.accessControlAllowOrigin] = "*"
        let text = index.playlist(uri: uri, finished: recording.state != .recording)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func page(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let (recording, _) = try await recordings.media(try context.parameters.require("id"))
        try await access.check(recording, request: request, context: context)
        let token = access.token(for: recording.id)
        let programs: [Program: String] = [.dedicated: "专递课堂", .masterTeacher: "名师课堂", .famousSchool: "名校网络课堂"]
        let states: [Recording.State: String] = [.recording: "录制中", .complete: "已完成", .interrupted: "录制中断"]
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.timeZone = service.expansion.timeZone
        let seconds = recording.durationMillis / 1000
        let html = template.renderPage([
            "title": recording.title, "program": programs[recording.program] ?? recording.program.rawValue,
            "startsAt": formatter.string(from: recording.startsAt), "state": states[recording.state] ?? recording.state.rawValue,
            "duration": String(format: "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60),
            "mp4": "/recordings/\(recording.id).mp4?t=\(token)", "hls": "/recordings/\(recording.id)/index.m3u8?t=\(token)",
        ])
        return PageTemplates.html(html)
    }

    private var service: ControlPlaneService { access.service }
}
