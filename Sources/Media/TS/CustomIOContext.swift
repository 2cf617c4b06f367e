internal import CFFmpeg

/// Owns an `AVIOContext` over memory instead of a URL: reading from a ``TSByteQueue`` (the
/// demuxer's input) or writing to a closure (the muxer's output).
///
/// Frees the context and its buffer (which libavformat may have replaced) in `deinit`.
final class CustomIOContext {
    let pointer: UnsafeMutablePointer<AVIOContext>
    private let target: Unmanaged<AnyObject>

    /// A reader: libavformat pulls bytes with the queue's blocking read.
    init(reading queue: TSByteQueue, bufferSize: Int = 32 * 1024) throws(FFmpegError) {
        let retained = Unmanaged<AnyObject>.passRetained(queue)
        let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = { opaque, buffer, size in
            guard let opaque, let buffer else { return cffmpeg_AVERROR_EOF() }
            let queue = Unmanaged<TSByteQueue>.fromOpaque(opaque).takeUnretainedValue()
            let n = queue.read(into: buffer, count: Int(size))
            return n == 0 ? cffmpeg_AVERROR_EOF() : Int32(n)
        }
        guard let context = Self.allocate(bufferSize, write: false, opaque: retained.toOpaque(), read: read, write: nil) else {
            retained.release()
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avio_alloc_context")
        }
        pointer = context
        target = retained
    }

    /// A writer: every full buffer (and every flush) goes to `sink`.
    init(writing sink: ChunkSink, bufferSize: Int) throws(FFmpegError) {
        let retained = Unmanaged<AnyObject>.passRetained(sink)
        let write: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = { opaque, buffer, size in
            guard let opaque, let buffer, size > 0 else { return size }
            let sink = Unmanaged<ChunkSink>.fromOpaque(opaque).takeUnretainedValue()
            sink.receive(UnsafeRawBufferPointer(start: buffer, count: Int(size)))
            return size
        }
        guard let context = Self.allocate(bufferSize, write: true, opaque: retained.toOpaque(), read: nil, write: write) else {
            retained.release()
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avio_alloc_context")
        }
        pointer = context
        target = retained
    }

    private static func allocate(
        _ size: Int, write: Bool, opaque: UnsafeMutableRawPointer,
        read: (@convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32)?,
        write writer: (@convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32)?
    ) -> UnsafeMutablePointer<AVIOContext>? {
        guard let buffer = av_malloc(size)?.assumingMemoryBound(to: UInt8.self) else { return nil }
        guard let context = avio_alloc_context(buffer, Int32(size), write ? 1 : 0, opaque, read, writer, nil) else {
            av_free(buffer)
            return nil
        }
        return context
    }

    /// Writes out what the buffer holds now.
    func flush() { avio_flush(pointer) }

    deinit {
        av_freep(&pointer.pointee.buffer)
        var context: UnsafeMutablePointer<AVIOContext>? = pointer
        avio_context_free(&context)
        target.release()
    }
}

/// Where a writing ``CustomIOContext`` delivers its bytes (called on the muxing thread).
final class ChunkSink {
    let receive: (UnsafeRawBufferPointer) -> Void
    init(_ receive: @escaping (UnsafeRawBufferPointer) -> Void) { self.receive = receive }
}
