/// A key of a config mapping, any string (the section checks it against the keys it knows).
struct ConfigKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ stringValue: String) { self.stringValue = stringValue }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Array where Element == any CodingKey {
    /// The dotted key a configuration error names: `transcode.ladder[0].width`.
    var dottedKey: String {
        reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
    }
}

/// One mapping of the config file being decoded: refuses keys it does not know and reads each
/// value as its type and range, every problem a `ConfigurationError` naming the dotted key.
struct ConfigSection {
    /// The dotted key of this mapping ("" for the file itself).
    let path: String
    private let container: KeyedDecodingContainer<ConfigKey>

    /// `keys`: the keys this mapping may have (nil: any, e.g. a table keyed by rung names).
    init(_ decoder: any Decoder, keys: [String]?) throws(ConfigurationError) {
        path = decoder.codingPath.dottedKey
        do {
            container = try decoder.container(keyedBy: ConfigKey.self)
        } catch {
            throw ConfigurationError(key: path, problem: path.isEmpty ? "the config file must be a mapping of keys" : "expected a mapping")
        }
        guard let keys else { return }
        for key in allKeys where !keys.contains(key) {
            throw ConfigurationError(key: self.key(key), problem: "unknown key (known: \(keys.joined(separator: ", ")))")
        }
    }

    /// The keys present, sorted.
    var allKeys: [String] { container.allKeys.map(\.stringValue).sorted() }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func contains(_ name: String) -> Bool { container.contains(ConfigKey(name)) }

    func string(_ name: String) throws(ConfigurationError) -> String? {
        guard contains(name) else { return nil }
        guard let value = try? container.decode(String.self, forKey: ConfigKey(name)) else {
            throw ConfigurationError(key: key(name), problem: "expected a string")
        }
        return value
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard contains(name) else { return nil }
        guard let value = try? container.decode(Int.self, forKey: ConfigKey(name)) else {
            throw ConfigurationError(key: key(name), problem: "expected an integer, got '\(text(name))'")
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key(name), problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    func port(_ name: String) throws(ConfigurationError) -> Int? { try int(name, in: 0...65535) }

    func bool(_ name: String) throws(ConfigurationError) -> Bool? {
        guard contains(name) else { return nil }
        guard let value = try? container.decode(Bool.self, forKey: ConfigKey(name)) else {
            throw ConfigurationError(key: key(name), problem: "expected true or false, got '\(text(name))'")
        }
        return value
    }

    /// A nested section; absent or null is nil.
    func section<Section: Decodable>(_ name: String, as type: Section.Type) throws(ConfigurationError) -> Section? {
        guard contains(name), (try? container.decodeNil(forKey: ConfigKey(name))) != true else { return nil }
        return try decoding(key(name)) { try container.decode(type, forKey: ConfigKey(name)) }
    }

    /// A list of `Element`s, each decoded by its own `init(from:)`; not a list is `notAList`.
    func list<Element: Decodable>(_ name: String, of type: Element.Type, notAList: String) throws(ConfigurationError) -> [Element]? {
        guard contains(name) else { return nil }
        guard var items = try? container.nestedUnkeyedContainer(forKey: ConfigKey(name)) else {
            throw ConfigurationError(key: key(name), problem: notAList)
        }
        var elements: [Element] = []
        while !items.isAtEnd {
            elements.append(try decoding("\(key(name))[\(items.currentIndex)]") { try items.decode(type) })
        }
        return elements
    }

    /// A list of strings; not a list is `notAList`, an item not a string names its index.
    func strings(_ name: String, notAList: String) throws(ConfigurationError) -> [String]? {
        try list(name, of: ConfigString.self, notAList: notAList)?.map(\.value)
    }

    /// The value as written, for a message (a list or mapping has none).
    private func text(_ name: String) -> String {
        (try? container.decode(String.self, forKey: ConfigKey(name))) ?? "a list or mapping"
    }

    private func decoding<Value>(_ key: String, _ body: () throws -> Value) throws(ConfigurationError) -> Value {
        do {
            return try body()
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(key: key, problem: "cannot be read: \(error)")
        }
    }
}

/// A string item of a list, "expected a string" naming its index otherwise.
struct ConfigString: Decodable {
    let value: String

    init(from decoder: any Decoder) throws {
        guard let value = try? decoder.singleValueContainer().decode(String.self) else {
            throw ConfigurationError(key: decoder.codingPath.dottedKey, problem: "expected a string")
        }
        self.value = value
    }
}
