internal import CFFmpeg

/// Owns one `AVFilterGraph`, from `avfilter_graph_alloc` to `avfilter_graph_free`, and through
/// it its filters: a video `buffer` source per input (labelled `[in0]`, `[in1]`, … in the
/// description) and one `buffersink` (labelled `[out]`). The filter contexts are the graph's;
/// this type only borrows them. Runs on its caller's thread (one thread inside the graph).
package final class FilterGraph {
    private let graph: UnsafeMutablePointer<AVFilterGraph>
    private var sources: [UnsafeMutablePointer<AVFilterContext>] = []
    private var sink: UnsafeMutablePointer<AVFilterContext>?
    package let inputs: [VideoFilterInput]
    let description: String

    /// Builds and configures the graph `description` between `inputs` and one output.
    package init(inputs: [VideoFilterInput], description: String) throws(FFmpegError) {
        guard let graph = avfilter_graph_alloc() else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avfilter_graph_alloc")
        }
        self.graph = graph  // owned from here on: deinit frees it if a later step throws
        self.inputs = inputs
        self.description = description
        graph.pointee.nb_threads = 1
        for (index, input) in inputs.enumerated() {
            sources.append(try makeFilter("buffer", name: "in\(index)", arguments: input.bufferArguments))
        }
        let sink = try makeFilter("buffersink", name: "out", arguments: nil)
        self.sink = sink
        let open = try FilterInOut(sources.enumerated().map { ("in\($0.offset)", $0.element) })
        let wanted = try FilterInOut([("out", sink)])
        try FFmpegError.check(
            avfilter_graph_parse_ptr(graph, description, &wanted.head, &open.head, nil), "avfilter_graph_parse_ptr")
        try FFmpegError.check(avfilter_graph_config(graph, nil), "avfilter_graph_config")
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFilterGraph>? = graph
        avfilter_graph_free(&pointer)
    }

    /// Gives input `index` a reference to `frame` (the caller keeps its own).
    package func push(_ frame: MediaFrame, into index: Int) throws(FFmpegError) {
        try FFmpegError.check(
            av_buffersrc_add_frame_flags(sources[index], frame.pointer, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)),
            "av_buffersrc_add_frame_flags")
    }

    /// Takes the next output frame into `frame`; false when the graph has none yet.
    package func pull(into frame: MediaFrame) throws(FFmpegError) -> Bool {
        av_frame_unref(frame.pointer)
        let code = av_buffersink_get_frame(sink, frame.pointer)
        if code == FFmpegError.tryAgainCode || code == FFmpegError.endOfFileCode { return false }
        try FFmpegError.check(code, "av_buffersink_get_frame")
        return true
    }

    private func makeFilter(_ filter: String, name: String, arguments: String?) throws(FFmpegError)
        -> UnsafeMutablePointer<AVFilterContext>
    {
        guard let definition = avfilter_get_by_name(filter) else {
            throw FFmpegError(code: cffmpeg_AVERROR(ENOSYS), operation: "avfilter_get_by_name(\(filter))")
        }
        var context: UnsafeMutablePointer<AVFilterContext>?
        try FFmpegError.check(
            avfilter_graph_create_filter(&context, definition, name, arguments, nil, graph), "avfilter_graph_create_filter(\(filter))")
        guard let context else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avfilter_graph_create_filter(\(filter))")
        }
        return context
    }
}
