import Foundation

/// The files under `Tests/RTMPTests/Corpus/<folder>`, copied into the test bundle.
enum Corpus {
    static func files(_ folder: String) -> [(name: String, bytes: [UInt8])] {
        guard let root = Bundle.module.url(forResource: "Corpus", withExtension: nil) else { return [] }
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.sorted().compactMap { name in
            guard let data = try? Data(contentsOf: dir.appendingPathComponent(name)) else { return nil }
            return (name, [UInt8](data))
        }
    }
}
