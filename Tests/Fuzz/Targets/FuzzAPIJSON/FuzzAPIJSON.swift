import Foundation

@testable import ControlPlane

/// Decodes the input as each REST API input type, as the handlers do, and runs the field
/// checks a decoded value goes through (ids, text, RFC 3339 times). Only typed errors may come
/// out; nothing may trap. (`@testable`: the input types are internal; fuzz builds are debug.)
@_cdecl("LLVMFuzzerTestOneInput")  // also satisfies libFuzzer's own main, linked whole-archive but not the entry
public func fuzzAPIJSON(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let decoder = JSONDecoder()
    if let school = try? decoder.decode(SchoolInput.self, from: data) {
        if let id = school.id.value { _ = try? Validation.checkID(id) }
        if let name = school.name.value { _ = try? Validation.checkText(name, field: "name") }
    }
    _ = try? decoder.decode(PairingInput.self, from: data)
    if let input = try? decoder.decode(ClassInput.self, from: data) {
        if let s = input.startsAt.value { _ = try? Validation.parseTime(s, field: "startsAt") }
        if let e = input.endsAt.value { _ = try? Validation.parseTime(e, field: "endsAt") }
        if let until = input.recurrence.value?.until { _ = try? Validation.parseTime(until + "T00:00:00Z", field: "until") }
        for id in input.siteIds.value ?? [] { _ = try? Validation.checkID(id, field: "siteIds") }
    }
    if let text = String(data: data, encoding: .utf8) { _ = try? Validation.parseTime(text, field: "from") }
    return 0
}
