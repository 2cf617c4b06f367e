import ControlPlane
import Foundation

/// The OpenAPI 3 document (`docs/openapi.yaml`), bundled and served at `/api/v1/openapi.yaml`.
public enum OpenAPIDocument {
    public static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.0.3\n" }
        return text
    }()
}
