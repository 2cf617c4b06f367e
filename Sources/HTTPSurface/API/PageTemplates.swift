import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The pages' Mustache templates, resources of this module (no CDN, nothing fetched at run time).
/// A page holds no script and no style of its own: it links `PageAssets` (`{{asset.<name>}}`),
/// and what its script needs from the server travels in `data-*` attributes.
enum PageTemplates {
    /// A rendered page: HTML, never cached.
    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The template `name`; throws if it, or the assets the pages link, are missing.
    static func load(_ name: String) throws -> MustacheTemplate {
        guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Pages") else {
            throw APIError(.internalServerError, "internal", "page template \(name) is missing")
        }
        _ = try PageAssets.bundled.get()
        return try MustacheTemplate(string: try String(contentsOf: url, encoding: .utf8))
    }
}

extension MustacheTemplate {
    /// The page with `values` (HTML-escaped where the template says `{{…}}`) and the assets'
    /// URLs as `asset.<name>` (`{{asset.whep}}`: `/assets/whep.js?v=<hash>`).
    func renderPage(_ values: [String: String]) -> String {
        var context: [String: Any] = values
        context["asset"] = (try? PageAssets.bundled.get())?.urls ?? [:]
        return render(context)
    }
}
