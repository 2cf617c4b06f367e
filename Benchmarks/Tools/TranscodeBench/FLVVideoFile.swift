import Foundation
import RelayCore

/// Writes a rung's video messages (FLV video tag bodies) as an FLV file, for ffmpeg to read.
final class FLVVideoFile {
    private let handle: FileHandle?

    init(path: String) {
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)
        // Signature, version 1, video only, header size 9, then the first PreviousTagSize (0).
        handle?.write(Data([0x46, 0x4C, 0x56, 1, 0x01, 0, 0, 0, 9, 0, 0, 0, 0]))
    }

    func write(_ message: MediaMessage) {
        let body = Array(message.payload.readableBytesView)
        let size = body.count
        let ts = message.timestamp
        var tag: [UInt8] = [9, UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        tag += [UInt8(ts >> 16 & 0xFF), UInt8(ts >> 8 & 0xFF), UInt8(ts & 0xFF), UInt8(ts >> 24 & 0xFF), 0, 0, 0]
        tag += body
        let total = UInt32(size + 11)
        tag += [UInt8(total >> 24), UInt8(total >> 16 & 0xFF), UInt8(total >> 8 & 0xFF), UInt8(total & 0xFF)]
        handle?.write(Data(tag))
    }

    func close() { try? handle?.close() }
}
