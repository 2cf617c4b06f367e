import CFFmpeg
import Foundation

@testable import Media

/// Pictures and tones the program tests feed the compositor and the mixer, and readings of
/// what comes out.
enum ProgramTestMedia {
    /// BT.601 limited-range YUV of the colours the tests use.
    typealias YUV = (y: UInt8, u: UInt8, v: UInt8)
    static let blue: YUV = (41, 240, 110)
    static let red: YUV = (81, 90, 240)
    static let green: YUV = (145, 54, 34)
    static let black: YUV = (16, 128, 128)

    /// A `width`×`height` YUV 4:2:0 picture of one colour, stamped `pts`.
    static func solid(_ colour: YUV, width: Int, height: Int, pts: Int64 = 0) throws -> MediaFrame {
        let frame = try MediaFrame(yuv420pWidth: width, height: height)
        for (plane, value, rows) in [(0, colour.y, height), (1, colour.u, height / 2), (2, colour.v, height / 2)] {
            let (base, stride) = frame.plane(plane)
            for row in 0..<rows { memset(base + row * stride, Int32(value), stride) }
        }
        frame.pointer.pointee.pts = pts
        return frame
    }

    /// A `width`×`height` YUV 4:2:2 grey of luma `y`.
    static func solid422(width: Int, height: Int, y: UInt8) throws -> MediaFrame {
        let frame = try MediaFrame()
        frame.pointer.pointee.format = AV_PIX_FMT_YUV422P.rawValue
        frame.pointer.pointee.width = Int32(width)
        frame.pointer.pointee.height = Int32(height)
        av_frame_get_buffer(frame.pointer, 0)
        for (plane, value) in [(0, y), (1, 128), (2, 128)] {
            let (base, stride) = frame.plane(plane)
            for row in 0..<height { memset(base + row * stride, Int32(value), stride) }
        }
        return frame
    }

    /// The colour of the pixel at (`x`, `y`) of a YUV 4:2:0 picture.
    static func pixel(_ frame: MediaFrame, x: Int, y: Int) -> YUV {
        let luma = frame.plane(0)
        let u = frame.plane(1)
        let v = frame.plane(2)
        return (luma.base[y * luma.stride + x], u.base[(y / 2) * u.stride + x / 2], v.base[(y / 2) * v.stride + x / 2])
    }

    /// Whether `a` is `b` within `tolerance` on each component (scaling rounds a little).
    static func close(_ a: YUV, _ b: YUV, tolerance: Int = 6) -> Bool {
        abs(Int(a.y) - Int(b.y)) <= tolerance && abs(Int(a.u) - Int(b.u)) <= tolerance && abs(Int(a.v) - Int(b.v)) <= tolerance
    }

    /// `count` samples of a sine at `frequency` and `amplitude` from sample `start`, as a planar
    /// float frame of `channels` channels at `sampleRate`, stamped in milliseconds.
    static func tone(
        frequency: Double, amplitude: Double, start: Int, count: Int, channels: Int32 = 2, sampleRate: Int32 = 48_000
    ) throws -> MediaFrame {
        let frame = try MediaFrame(planarFloatSamples: count, channels: channels, sampleRate: sampleRate)
        for channel in 0..<Int(channels) {
            let plane = frame.floatChannel(channel)
            for i in 0..<count {
                plane[i] = Float(amplitude * sin(2 * Double.pi * frequency * Double(start + i) / Double(sampleRate)))
            }
        }
        frame.pointer.pointee.pts = Int64(start) * 1000 / Int64(sampleRate)
        return frame
    }

    /// A sine's amplitude at `frequency` in `samples` (Goertzel; exact for whole cycles).
    static func amplitude(of frequency: Double, in samples: ArraySlice<Float>, sampleRate: Double = 48_000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        var (s1, s2) = (0.0, 0.0)
        for sample in samples {
            let s0 = Double(sample) + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return 2 * power.squareRoot() / Double(samples.count)
    }
}
