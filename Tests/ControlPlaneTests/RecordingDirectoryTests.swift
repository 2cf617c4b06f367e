import Foundation
import Testing

@testable import ControlPlane
@testable import Recording

/// Recording paths come from the relay's own ids, and only regular files in the directory are touched.
@Suite struct RecordingDirectoryTests {
    @Test func onlyTheRelaysOwnIdsMakeAPath() {
        let made = Validation.newID(prefix: "rec")
        #expect(RecordingDirectory.isRecordingID(made))
        for bad in [
            "rec-../../etc", "rec-abcdefghij/", "../rec-abcdefghij", "rec-abcdefghi", "rec-abcdefghijk", "rec-ABCDEFGHIJ",
            "rec-abcdefghi1", "rec-abcdefghil", "r1", "", "rec-abcdefghi\u{0}",
        ] {
            #expect(!RecordingDirectory.isRecordingID(bad), "\(bad)")
            #expect(RecordingDirectory(path: "/tmp").mediaPath(for: bad) == nil)
        }
    }

    @Test func aLinkOrADirectoryUnderARecordingsNameIsLeftAlone() throws {
        let dir = NSTemporaryDirectory() + "recdir-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A file outside the directory the links point at (never a file of the machine's own: a
        // regression here would write through the link).
        let victim = dir + "-victim"
        try "victim".write(toFile: victim, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: victim) }
        let directory = RecordingDirectory(path: dir)
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        #expect(directory.safePath(for: "rec-aaaaaaaaaa") == real + "/rec-aaaaaaaaaa.mp4", "absent: may be written")
        #expect(directory.existingFile(for: "rec-aaaaaaaaaa") == nil)
        try "x".write(toFile: dir + "/rec-aaaaaaaaaa.mp4", atomically: true, encoding: .utf8)
        #expect(directory.existingFile(for: "rec-aaaaaaaaaa") == real + "/rec-aaaaaaaaaa.mp4")
        try FileManager.default.createSymbolicLink(atPath: dir + "/rec-bbbbbbbbbb.mp4", withDestinationPath: victim)
        #expect(directory.safePath(for: "rec-bbbbbbbbbb") == nil)
        try FileManager.default.createDirectory(atPath: dir + "/rec-cccccccccc.mp4", withIntermediateDirectories: true)
        #expect(directory.safePath(for: "rec-cccccccccc") == nil)
        try "x".write(toFile: dir + "/rec-dddddddddd.mp4", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/rec-dddddddddd.mp4.idx", withDestinationPath: victim)
        #expect(directory.safePath(for: "rec-dddddddddd") == nil, "a linked index too")
    }
}
