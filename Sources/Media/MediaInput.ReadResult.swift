extension MediaInput {
    /// The outcome of one ``MediaInput/readPacket()`` call.
    public enum ReadResult {
        /// A compressed packet for one of ``MediaInput/streams``.
        case packet(MediaPacket)
        /// No packet is ready yet (`AVERROR(EAGAIN)`); call again later.
        case tryAgain
        /// The input is exhausted (`AVERROR_EOF`); further reads return this again.
        case endOfStream
    }
}
