import ControlPlane
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The pages' scripts and style sheet (`Pages/assets/`, resources of this module), served at
/// `GET /assets/<name>`: one script per job (`whep.js`, the WHEP player every page's videos
/// share; `watch.js`, `teacher.js`, `patrol.js`, each page's own logic) and `pages.css`.
///
/// Pages link them as `/assets/<name>?v=<hash>` (the first 16 hex digits of the file's
/// SHA-256): a URL with the current hash may be kept a year (`immutable`), so a new relayd's
/// changed script comes under a new URL; any other URL is revalidated against the ETag (the
/// hash), and a matching `If-None-Match` answers 304.
struct PageAssets: Sendable {
    struct Asset: Sendable {
        let name: String
        let body: ByteBuffer
        let contentType: String
        let hash: String

        var etag: String { "\"\(hash)\"" }
        var url: String { "/assets/\(name)?v=\(hash)" }
    }

    /// Assets by file name (`whep.js`).
    let assets: [String: Asset]

    /// The module's assets, read once.
    static let bundled: Result<PageAssets, APIError> = Result { try PageAssets.load() }.mapError {
        $0 as? APIError ?? APIError(.internalServerError, "internal", "the pages' assets cannot be read: \($0)")
    }

    static let contentTypes = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]

    /// Every `.js` and `.css` file in `Pages/assets`.
    static func load(bundle: Bundle = .module) throws -> PageAssets {
        guard let directory = bundle.url(forResource: "assets", withExtension: nil, subdirectory: "Pages") else {
            throw APIError(.internalServerError, "internal", "the pages' assets are missing")
        }
        var assets: [String: Asset] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) {
            guard let contentType = contentTypes[file.pathExtension] else { continue }
            let data = try Data(contentsOf: file)
            let hash = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
            let name = file.lastPathComponent
            assets[name] = Asset(name: name, body: ByteBuffer(bytes: data), contentType: contentType, hash: hash)
        }
        return PageAssets(assets: assets)
    }

    /// Each asset's URL by its name without the extension (`whep` → `/assets/whep.js?v=…`),
    /// for the templates' `{{asset.whep}}`.
    var urls: [String: String] {
        Dictionary(assets.values.map { (($0.name as NSString).deletingPathExtension, $0.url) }) { first, _ in first }
    }

    func add(to router: Router<RelayRequestContext>) {
        router.get("assets/:name") { request, context in
            guard let asset = assets[try context.parameters.require("name")] else {
                throw APIError.notFound("asset '\(context.parameters.get("name") ?? "")'")
            }
            return response(asset, request)
        }
    }

    private func response(_ asset: Asset, _ request: Request) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = asset.etag
        let versioned = request.uri.queryParameters.get("v").map { String($0) } == asset.hash
        headers[.cacheControl] = versioned ? "public, max-age=31536000, immutable" : "no-cache"
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
