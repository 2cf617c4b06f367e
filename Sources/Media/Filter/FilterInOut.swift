internal import CFFmpeg

/// Owns one linked list of `AVFilterInOut` (the open pads a filter description connects to),
/// from `avfilter_inout_alloc` to `avfilter_inout_free`. `avfilter_graph_parse_ptr` replaces
/// ``head`` with what it left unlinked, which this object then frees.
final class FilterInOut {
    var head: UnsafeMutablePointer<AVFilterInOut>?

    /// A list naming pad 0 of each filter: `name` is the label the description uses (`[in0]`).
    init(_ entries: [(name: String, filter: UnsafeMutablePointer<AVFilterContext>)]) throws(FFmpegError) {
        for entry in entries.reversed() {
            guard let node = avfilter_inout_alloc() else {
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avfilter_inout_alloc")
            }
            node.pointee.next = head
            head = node
            node.pointee.filter_ctx = entry.filter
            node.pointee.pad_idx = 0
            guard let name = av_strdup(entry.name) else {
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "av_strdup")
            }
            node.pointee.name = name
        }
    }

    deinit {
        avfilter_inout_free(&head)
    }
}
